package identity_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/identity"
	"github.com/lockstream/lockstream/internal/identity/identitytest"
)

// TestSecretsNeverStoredOrLogged runs every credential path, then searches
// the database files (including the WAL), the logs and the audit log for
// each secret and token.
func TestSecretsNeverStoredOrLogged(t *testing.T) {
	ctx := context.Background()
	env := identitytest.New(t, nil)
	const bootID, bootSecret = "bootstrap-admin", "Bootstrap-Secret-Value-4242"
	if err := env.Svc.EnsureBootstrap(ctx, bootID, bootSecret); err != nil {
		t.Fatal(err)
	}
	clientID, secret := env.NewClient(t, "Owner", "*")
	_, second, err := env.Svc.AddSecret(ctx, clientID, identity.SecretOptions{DisplayName: "second"})
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{bootSecret, secret, second}
	var tokens []string
	for _, s := range []struct{ id, secret string }{{bootID, bootSecret}, {clientID, secret}, {clientID, second}} {
		tokens = append(tokens, env.Token(t, nil, s.id, s.secret))
	}
	// Failures log and audit too: a near-miss secret must not appear either.
	nearMiss := secret[:len(secret)-1] + "X"
	secrets = append(secrets, nearMiss)
	identitytest.PostToken(env.Svc, identitytest.SecretForm(clientID, nearMiss))
	identitytest.PostToken(env.Svc, identitytest.SecretForm("unknown-client", nearMiss))
	if err := env.Svc.Maintain(ctx); err != nil {
		t.Fatal(err)
	}

	var haystacks = map[string][]byte{"logs": []byte(env.Logs())}
	events, err := env.Svc.ListAudit(ctx, env.Clock.Now().Add(-1e12), 1000)
	if err != nil {
		t.Fatal(err)
	}
	auditJSON, _ := json.Marshal(events)
	haystacks["audit"] = auditJSON
	files, _ := filepath.Glob(filepath.Join(env.Dir, "*"))
	if len(files) == 0 {
		t.Fatal("no database files")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		haystacks[filepath.Base(f)] = b
	}
	principals, _, err := env.Svc.ListPrincipals(ctx, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	listed, _ := json.Marshal(principals)
	haystacks["ListPrincipals"] = listed

	for where, hay := range haystacks {
		for i, s := range secrets {
			// The first 8 characters of a generated secret are its public
			// tag; look for the random part.
			needle := s
			if i > 0 {
				needle = s[9:]
			}
			if bytes.Contains(hay, []byte(needle)) {
				t.Errorf("secret %d found in %s", i, where)
			}
		}
		for i, tok := range tokens {
			// The signature alone identifies a token.
			if bytes.Contains(hay, []byte(tok[strings.LastIndex(tok, ".")+1:])) {
				t.Errorf("token %d found in %s", i, where)
			}
		}
		if bytes.Contains(hay, []byte("$argon2id$")) {
			t.Errorf("a secret hash is readable in %s", where)
		}
	}
}
