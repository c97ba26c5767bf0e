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
	"strings"
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
	dir, acct := demoDataDir(t)

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

// TestKeyExchangeCredentialsCLI manages API keys and signers offline.
func TestKeyExchangeCredentialsCLI(t *testing.T) {
	dir, acct := demoDataDir(t)
	out := string(cli(t, dir, 0, "keyexchange", "apikey", "create", "enc1", "--account", acct))
	if !strings.Contains(out, `"key": "enc1.`) || !strings.Contains(out, "mediaServiceId") {
		t.Fatalf("apikey create: %s", out)
	}
	secret := out[strings.Index(out, `"key": "enc1.`)+len(`"key": "enc1.`):]
	secret = secret[:strings.IndexByte(secret, '"')]
	if list := string(cli(t, dir, 0, "keyexchange", "apikey", "list", "--account", acct)); !strings.Contains(list, "enc1") || strings.Contains(list, secret) {
		t.Fatalf("apikey list: %s", list)
	}
	cli(t, dir, 1, "keyexchange", "apikey", "create", "enc1", "--account", acct)
	cli(t, dir, 0, "keyexchange", "apikey", "delete", "enc1", "--account", acct)
	cli(t, dir, 1, "keyexchange", "apikey", "delete", "enc1", "--account", acct)
	key, iv := strings.Repeat("ab", 32), strings.Repeat("cd", 16)
	cli(t, dir, 0, "keyexchange", "signer", "put", "shaka", "--account", acct, "--aes-signing-key", key, "--aes-signing-iv", iv)
	if list := string(cli(t, dir, 0, "keyexchange", "signer", "list", "--account", acct)); !strings.Contains(list, "shaka") || strings.Contains(list, key) {
		t.Fatalf("signer list: %s", list)
	}
	cli(t, dir, 1, "keyexchange", "signer", "put", "bad", "--account", acct, "--aes-signing-key", "00", "--aes-signing-iv", iv)
	cli(t, dir, 1, "keyexchange", "signer", "list", "--account", "/subscriptions/x/resourceGroups/y/providers/Microsoft.Media/mediaServices/none")
	cli(t, dir, 2, "keyexchange", "signer", "list")
}

// demoDataDir initialises a node with the demo enabled in a fresh data
// directory and closes it, so the CLI works offline on what it left; it
// returns the directory and the demo account's resource path.
func demoDataDir(t *testing.T) (dir, acct string) {
	t.Helper()
	dir = t.TempDir()
	c := conf.Default()
	c.DataDir, c.API.Listen, c.Origin.Listen, c.Blob.Listen, c.Demo.Enabled = dir, "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0", true
	node := &core.Core{Conf: c, Log: slog.New(slog.DiscardHandler)}
	if err := node.Initialize(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := node.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	return dir, "/subscriptions/" + c.Demo.Subscription + "/resourceGroups/" + c.Demo.ResourceGroup + "/providers/Microsoft.Media/mediaServices/" + c.Demo.Account
}
