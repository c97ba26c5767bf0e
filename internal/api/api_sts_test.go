package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/passhash"
	"github.com/lockstream/lockstream/internal/sts"
)

// TestSTSUsers manages playback token users over the API: Owners on "*"
// may do everything, Readers on "*" may read, account-scoped roles
// nothing.
func TestSTSUsers(t *testing.T) {
	ts := newTestServer(t)
	svc, err := sts.New(sts.Config{Store: ts.Store, Sealer: ts.API.Sealer, Issuer: "https://media.example.com/sts",
		Audience: "urn:test", Hash: passhash.Params{Time: 1, MemoryKiB: 1024}, Keys: sts.KeyConfig{Algorithm: sts.AlgES256}})
	if err != nil {
		t.Fatal(err)
	}
	srv := *ts.API
	srv.STS = svc
	h := httptest.NewServer(&srv)
	defer h.Close()
	_, _, readerTok := ts.newPrincipal("Reader", "*")
	_, _, acctOwnerTok := ts.newPrincipal("Owner", strings.ToLower(acctPath))

	do := func(bearer, method, path, body string) (int, map[string]any) {
		t.Helper()
		var rd io.Reader = http.NoBody
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, h.URL+"/providers/Lockstream.Sts/users"+path+"?"+av, rd)
		setHeaders(req, bearer, nil, body != "")
		resp, err := h.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	owner := ts.bearer
	reader, acctOwner := "Bearer "+readerTok, "Bearer "+acctOwnerTok

	code, u := do(owner, http.MethodPost, "", `{"name":"alice","displayName":"Alice","groups":["premium"],"claims":{"tier":"gold"}}`)
	if code != http.StatusCreated || u["secretText"] == nil || u["name"] != "alice" || u["hasSecret"] != true {
		t.Fatalf("create: %d %v", code, u)
	}
	secret := u["secretText"].(string)
	rec, err := ts.Store.GetUser(t.Context(), "alice")
	if err != nil || len(rec.Secret) == 0 {
		t.Fatalf("stored user %+v, %v", rec, err)
	}
	if code, _ := do(owner, http.MethodPost, "", `{"name":"ALICE"}`); code != http.StatusConflict {
		t.Fatalf("duplicate: %d", code)
	}
	if code, _ := do(owner, http.MethodPost, "", `{"name":"a b"}`); code != http.StatusBadRequest {
		t.Fatalf("bad name: %d", code)
	}
	if code, _ := do(owner, http.MethodPost, "", `{"name":"bob","noSecret":true}`); code != http.StatusCreated {
		t.Fatalf("create bob: %d", code)
	}
	if code, u = do(owner, http.MethodPut, "/alice/groups/beta", ""); code != 200 || !slices.Equal(u["groups"].([]any), []any{"beta", "premium"}) {
		t.Fatalf("group add: %d %v", code, u)
	}
	if code, u = do(owner, http.MethodDelete, "/alice/groups/premium", ""); code != 200 || !slices.Equal(u["groups"].([]any), []any{"beta"}) {
		t.Fatalf("group remove: %d %v", code, u)
	}
	if code, _ = do(owner, http.MethodDelete, "/alice/groups/premium", ""); code != 404 {
		t.Fatalf("group remove twice: %d", code)
	}
	if code, u = do(owner, http.MethodPut, "/alice/claims/region", `["eu"]`); code != 200 || u["claims"].(map[string]any)["region"] == nil {
		t.Fatalf("claim set: %d %v", code, u)
	}
	if code, _ = do(owner, http.MethodPut, "/alice/claims/sub", `"x"`); code != 400 {
		t.Fatalf("reserved claim: %d", code)
	}
	if code, u = do(owner, http.MethodDelete, "/alice/claims/region", ""); code != 200 || u["claims"].(map[string]any)["region"] != nil {
		t.Fatalf("claim remove: %d %v", code, u)
	}
	if code, u = do(owner, http.MethodPost, "/alice/secret", ""); code != 200 || u["secretText"] == nil || u["secretText"] == secret {
		t.Fatalf("new secret: %d %v", code, u)
	}
	if code, _ = do(owner, http.MethodDelete, "/alice/secret", ""); code != 200 {
		t.Fatalf("clear secret: %d", code)
	}

	// Paging: the test server's page size is 3.
	for _, n := range []string{"carol", "dave", "erin"} {
		if code, _ := do(owner, http.MethodPost, "", `{"name":"`+n+`"}`); code != http.StatusCreated {
			t.Fatalf("create %s: %d", n, code)
		}
	}
	code, list := do(reader, http.MethodGet, "", "")
	if code != 200 || len(list["value"].([]any)) != 3 || list["@odata.nextLink"] == nil {
		t.Fatalf("reader list: %d %v", code, list)
	}
	// The next link is absolute and, followed, gives the rest exactly once.
	seen := map[any]bool{}
	for _, v := range list["value"].([]any) {
		seen[v.(map[string]any)["name"]] = true
	}
	next, err := url.Parse(list["@odata.nextLink"].(string))
	if err != nil || next.Query().Get("api-version") == "" || next.Query().Get("$skiptoken") == "" {
		t.Fatalf("next link %v: %v", list["@odata.nextLink"], err)
	}
	req, _ := http.NewRequest(http.MethodGet, h.URL+next.RequestURI(), nil)
	setHeaders(req, reader, nil, false)
	resp, err := h.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var page2 map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&page2)
	resp.Body.Close()
	for _, v := range page2["value"].([]any) {
		name := v.(map[string]any)["name"]
		if seen[name] {
			t.Fatalf("page 2 repeats %v", name)
		}
		seen[name] = true
	}
	if len(seen) != 5 || page2["@odata.nextLink"] != nil {
		t.Fatalf("pages hold %d users (%v); want 5, and no third page", len(seen), seen)
	}
	for _, v := range list["value"].([]any) {
		if strings.Contains(strings.ToLower(toJSON(t, v)), "secrettext") || strings.Contains(toJSON(t, v), "argon2") {
			t.Fatalf("list shows a secret: %v", v)
		}
	}
	if code, _ := do(reader, http.MethodGet, "/alice", ""); code != 200 {
		t.Fatalf("reader get: %d", code)
	}
	if code, _ := do(reader, http.MethodPost, "", `{"name":"frank"}`); code != http.StatusForbidden {
		t.Fatalf("reader create: %d", code)
	}
	if code, _ := do(acctOwner, http.MethodGet, "", ""); code != http.StatusForbidden {
		t.Fatalf("account owner list: %d", code)
	}
	if code, _ := do("Bearer nope", http.MethodGet, "", ""); code != http.StatusUnauthorized {
		t.Fatalf("bad token: %d", code)
	}

	if code, _ = do(owner, http.MethodDelete, "/alice", ""); code != 200 {
		t.Fatalf("delete: %d", code)
	}
	if code, _ = do(owner, http.MethodGet, "/alice", ""); code != 404 {
		t.Fatalf("get deleted: %d", code)
	}
	// A node without the token service says so.
	if r := ts.call(http.MethodGet, "/providers/Lockstream.Sts/users", ""); r.Status != 404 {
		t.Fatalf("without STS: %d", r.Status)
	}
}

func toJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
