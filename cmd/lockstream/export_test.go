package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/core"
	"github.com/lockstream/lockstream/internal/cpix"
	"github.com/lockstream/lockstream/internal/cpix/cpixtest"
)

// TestKeysExportCPIX exports the demo locator's key with the CLI, clear
// and encrypted to a recipient certificate, and checks both documents
// against the schema and each other.
func TestKeysExportCPIX(t *testing.T) {
	dir := t.TempDir()
	c := conf.Default()
	c.DataDir, c.API.Listen, c.Origin.Listen, c.Demo.Enabled = dir, "127.0.0.1:0", "127.0.0.1:0", true
	node := &core.Core{Conf: c, Log: slog.New(slog.DiscardHandler)}
	if err := node.Initialize(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := node.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	acct := "/subscriptions/" + c.Demo.Subscription + "/resourceGroups/" + c.Demo.ResourceGroup + "/providers/Microsoft.Media/mediaServices/" + c.Demo.Account

	plain := cli(t, dir, 0, "keys", "export", "--cpix", "--account", acct, "--locator", "demo-aes")
	cpixtest.Validate(t, plain, cpix.Version23)
	pd, err := cpix.Parse(plain)
	if err != nil || len(pd.ContentKeys) != 1 || pd.ContentKeys[0].Value == nil || pd.ContentID == "" {
		t.Fatalf("plain export: %+v %v", pd, err)
	}

	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "drm vendor"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	certFile := filepath.Join(dir, "vendor.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	outFile := filepath.Join(dir, "keys.xml")
	cli(t, dir, 0, "keys", "export", "--cpix", "--account", acct, "--locator", "demo-aes", "--recipient", certFile, "--cpix-version", "2.4", "--out", outFile)
	enc, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(outFile); st.Mode().Perm() != 0o600 {
		t.Fatalf("export file mode %v", st.Mode().Perm())
	}
	cpixtest.Validate(t, enc, cpix.Version24)
	ed, err := cpix.Parse(enc)
	if err != nil || ed.ContentKeys[0].Encrypted == nil {
		t.Fatalf("encrypted export: %v", err)
	}
	if err := ed.DecryptKeys(priv); err != nil {
		t.Fatal(err)
	}
	if ed.ContentKeys[0].KID != pd.ContentKeys[0].KID || *ed.ContentKeys[0].Value != *pd.ContentKeys[0].Value {
		t.Fatal("encrypted export holds another key")
	}

	cli(t, dir, 2, "keys", "export", "--account", acct, "--locator", "demo-aes")
	cli(t, dir, 1, "keys", "export", "--cpix", "--account", acct, "--locator", "nope")
	cli(t, dir, 1, "keys", "export", "--cpix", "--account", acct, "--locator", "demo-aes", "--recipient", filepath.Join(dir, "missing.pem"))
}
