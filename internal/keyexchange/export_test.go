package keyexchange_test

import (
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/cpix"
	"github.com/lockstream/lockstream/internal/cpix/cpixtest"
	"github.com/lockstream/lockstream/internal/keyexchange/kxtest"
	"github.com/lockstream/lockstream/internal/test/pgtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	kxtest.Close()
	if err := pgtest.Stop(); err != nil && code == 0 {
		code = 1
	}
	os.Exit(code)
}

// TestExportContentKeysAction: POST …/streamingLocators/{name}/
// exportContentKeys returns the locator's keys as CPIX, clear or
// encrypted to a recipient certificate, to principals that may see keys.
func TestExportContentKeysAction(t *testing.T) {
	n := kxtest.Start(t)
	path := n.Acct + "/streamingLocators/demo-aes/exportContentKeys?api-version=2022-08-01"
	code, out := n.Do(t, http.MethodPost, n.Acct+"/streamingLocators/demo-aes/listContentKeys?api-version=2022-08-01", n.Owner, "", nil)
	var lk struct {
		ContentKeys []struct{ ID, Value string } `json:"contentKeys"`
	}
	if code != 200 || json.Unmarshal(out, &lk) != nil || len(lk.ContentKeys) != 1 {
		t.Fatalf("listContentKeys: %d %s", code, out)
	}
	want := lk.ContentKeys[0]

	code, out, h := n.DoFull(t, http.MethodPost, path, n.Owner, "", nil)
	if code != 200 || h.Get("Content-Type") != "application/xml" {
		t.Fatalf("export: %d %s", code, out)
	}
	cpixtest.Validate(t, out, cpix.Version23)
	d, err := cpix.Parse(out)
	if err != nil || len(d.ContentKeys) != 1 || d.ContentKeys[0].KID.String() != want.ID ||
		base64.StdEncoding.EncodeToString(d.ContentKeys[0].Value[:]) != want.Value {
		t.Fatalf("clear export differs from listContentKeys: %v", err)
	}

	priv, der := kxtest.Recipient(t, 2048)
	pemCert := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	body, _ := json.Marshal(map[string]string{"recipientCertificate": pemCert, "cpixVersion": "2.4"})
	code, out = n.Do(t, http.MethodPost, path, n.Owner, string(body), http.Header{"Content-Type": {"application/json"}})
	if code != 200 || strings.Contains(string(out), "PlainValue") {
		t.Fatalf("encrypted export: %d %s", code, out)
	}
	cpixtest.Validate(t, out, cpix.Version24)
	d, err = cpix.Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.DecryptKeys(priv); err != nil {
		t.Fatal(err)
	}
	if base64.StdEncoding.EncodeToString(d.ContentKeys[0].Value[:]) != want.Value {
		t.Fatal("encrypted export holds another key")
	}

	_, weak := kxtest.Recipient(t, 1024)
	for name, c := range map[string]struct {
		tok, body string
		status    int
	}{
		"weak certificate": {n.Owner, `{"recipientCertificate":"` + base64.StdEncoding.EncodeToString(weak) + `"}`, 400},
		"junk certificate": {n.Owner, `{"recipientCertificate":"not a certificate"}`, 400},
		"bad version":      {n.Owner, `{"cpixVersion":"2.0"}`, 400},
		"bad body":         {n.Owner, `[`, 400},
		"reader":           {n.Principal(t, "Reader"), "", 403},
		"no token":         {"", "", 401},
	} {
		t.Run(name, func(t *testing.T) {
			code, out := n.Do(t, http.MethodPost, path, c.tok, c.body, http.Header{"Content-Type": {"application/json"}})
			if code != c.status || !strings.Contains(string(out), `"error"`) {
				t.Fatalf("%d %s, want %d with an ARM error", code, out, c.status)
			}
		})
	}
}
