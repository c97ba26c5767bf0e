package identity_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/identity"
	"github.com/lockstream/lockstream/internal/identity/identitytest"
)

// errShape is an AAD error with the per-request fields blanked, so two
// answers can be compared for equality.
func errShape(t *testing.T, svc *identity.Service, clientID, secret string) (int, map[string]any) {
	t.Helper()
	w := identitytest.PostToken(svc, identitytest.SecretForm(clientID, secret))
	var m map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"trace_id", "correlation_id", "timestamp", "error_description"} {
		if _, ok := m[k]; !ok {
			t.Errorf("missing %s", k)
		}
		m[k] = "…"
	}
	return w.Code, m
}

func TestLockout(t *testing.T) {
	env := identitytest.New(t, nil)
	clientID, secret := env.NewClient(t)
	ok := func() int { return identitytest.PostToken(env.Svc, identitytest.SecretForm(clientID, secret)).Code }
	bad := func() (int, map[string]any) { return errShape(t, env.Svc, clientID, "wrong-secret-0123456789") }

	// Failures below the threshold, then a success, reset the count.
	for range 5 {
		if code, _ := bad(); code != 401 {
			t.Fatalf("bad secret: %d", code)
		}
	}
	if c := ok(); c != 200 {
		t.Fatalf("good secret after 5 failures: %d", c)
	}
	// 10 failures within the window lock the client id...
	for i := range 10 {
		code, m := bad()
		if code != 401 || m["error"] != "invalid_client" {
			t.Fatalf("failure %d: %d %v", i+1, code, m)
		}
		env.Clock.Advance(time.Minute)
	}
	// ...so that even the right secret is refused, with AADSTS50053.
	w := identitytest.PostToken(env.Svc, identitytest.SecretForm(clientID, secret))
	if w.Code != http.StatusBadRequest {
		t.Fatalf("locked: %d %s", w.Code, w.Body.String())
	}
	assertAADError(t, decode(t, w), "invalid_client", 50053)
	// The delay grows from the third failure and is capped.
	sleeps := env.Sleeps()
	want := []time.Duration{0, 0, 250 * time.Millisecond, 500 * time.Millisecond, time.Second,
		0, 0, 250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second, 4 * time.Second, 4 * time.Second}
	if !slices.Equal(sleeps, want) {
		t.Errorf("delays %v, want %v", sleeps, want)
	}
	// Another node sees the same lock: it lives in the store.
	if w := identitytest.PostToken(env.Another(t, nil), identitytest.SecretForm(clientID, secret)); w.Code != 400 {
		t.Errorf("other node while locked: %d", w.Code)
	}
	// The lock ends after its duration; a success resets everything.
	env.Clock.Advance(15 * time.Minute)
	if c := ok(); c != 200 {
		t.Fatalf("after the lock: %d", c)
	}
	if code, _ := bad(); code != 401 {
		t.Fatalf("first failure after reset: %d", code)
	}
	if s := env.Sleeps(); s[len(s)-1] != 0 {
		t.Errorf("first failure after reset delayed %v", s[len(s)-1])
	}
}

func TestUnknownClientLooksLikeBadSecret(t *testing.T) {
	env := identitytest.New(t, nil)
	clientID, _ := env.NewClient(t)
	c1, bad := errShape(t, env.Svc, clientID, "wrong-secret-0123456789")
	c2, unknown := errShape(t, env.Svc, "6f1a2b3c-0000-4000-8000-000000000000", "wrong-secret-0123456789")
	if c1 != c2 || !mapsEqual(bad, unknown) {
		t.Errorf("bad secret %d %v\nunknown client %d %v", c1, bad, c2, unknown)
	}
	// The tagged form of a secret that matches no tag, and a client id
	// that cannot exist, answer the same way too.
	c3, tagged := errShape(t, env.Svc, clientID, "deadbeef~AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	c4, weird := errShape(t, env.Svc, "../../etc/passwd", "x")
	if c3 != c1 || !mapsEqual(tagged, bad) || c4 != c1 || !mapsEqual(weird, bad) {
		t.Errorf("tagged %d %v; weird id %d %v", c3, tagged, c4, weird)
	}
	// Unknown ids are counted and locked like real ones, so the lockout
	// does not reveal which ids exist either.
	for range 10 {
		errShape(t, env.Svc, "6f1a2b3c-0000-4000-8000-000000000000", "x")
	}
	if code, m := errShape(t, env.Svc, "6f1a2b3c-0000-4000-8000-000000000000", "x"); code != 400 || m["error_codes"].([]any)[0] != float64(50053) {
		t.Errorf("unknown id after 10 failures: %d %v", code, m)
	}
}

func mapsEqual(a, b map[string]any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
