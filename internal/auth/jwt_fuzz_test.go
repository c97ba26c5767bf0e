package auth_test

import (
	"context"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/identity/identitytest"
)

// FuzzVerify feeds arbitrary bearer tokens, seeded with a real token and
// mutations of it, to JWT.Verify: nothing may panic, and nothing but the
// untouched real token may verify.
func FuzzVerify(f *testing.F) {
	env := identitytest.New(f, nil)
	clientID, secret := env.NewClient(f, "Reader", "*")
	valid := env.Token(f, nil, clientID, secret)
	j := newJWT(f, env, nil)
	s := strings.Split(valid, ".")
	f.Add(valid)
	f.Add(s[0] + "." + s[1] + ".")
	f.Add("eyJhbGciOiJub25lIn0." + s[1] + ".")
	f.Add(s[0] + "." + s[1] + "." + s[2] + "." + s[2])
	f.Add(strings.Repeat("a.", 3000))
	f.Fuzz(func(t *testing.T, tok string) {
		if _, err := j.Verify(context.Background(), tok); err == nil && tok != valid {
			t.Fatalf("accepted a token that is not the one issued: %q", tok)
		}
	})
}
