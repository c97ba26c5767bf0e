package auth_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/identity/identitytest"
)

// TestJWTWithLineBreaks: a valid management token with CR/LF inserted in
// any of its segments is refused. Go's base64 decoders skip CR and LF
// even in strict mode, so such a token used to verify as the original.
func TestJWTWithLineBreaks(t *testing.T) {
	env := identitytest.New(t, nil)
	clientID, secret := env.NewClient(t, "Reader", "*")
	valid := env.Token(t, nil, clientID, secret)
	j := newJWT(t, env, nil)
	if w := serve(j, valid); w.Code != http.StatusOK {
		t.Fatalf("valid token: %d", w.Code)
	}
	first, last := strings.IndexByte(valid, '.'), strings.LastIndexByte(valid, '.')
	for name, at := range map[string]int{"header": 5, "payload": first + 5, "signature": last + 5} {
		tok := valid[:at] + "\r\n" + valid[at:]
		if w := serve(j, tok); w.Code != http.StatusUnauthorized {
			t.Errorf("CR/LF in the %s: %d, want 401", name, w.Code)
		}
	}
}
