package policy_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/policy"
)

// TestTokenWithLineBreaks: key delivery refuses a valid JWT (HS256 and
// RS256) with CR/LF inserted in any segment, and a SWT whose signature
// carries an encoded CR/LF. Key delivery used to accept them: Go's base64
// decoders skip CR and LF even in strict mode.
func TestTokenWithLineBreaks(t *testing.T) {
	k := fixtures()
	e := newEvaluator(t, policy.Config{})
	hs := single(jwtRestriction(symKey(k.hs)))
	rs := single(jwtRestriction(rsaKey(k.rsa)))
	for name, c := range map[string]struct {
		p   *defs.ContentKeyPolicyProperties
		tok string
	}{
		"HS256": {hs, hsJWT(k.hs, baseClaims())},
		"RS256": {rs, joseJWT(t, jose.RS256, k.rsa, "", baseClaims())},
	} {
		p := c.p
		if _, err := evaluate(e, p, c.tok); err != nil {
			t.Fatalf("%s: valid token refused: %v", name, err)
		}
		first, last := strings.IndexByte(c.tok, '.'), strings.LastIndexByte(c.tok, '.')
		for _, at := range []int{3, first + 3, last + 3, len(c.tok)} {
			for _, ins := range []string{"\r\n", "\n", "\r"} {
				tok := c.tok[:at] + ins + c.tok[at:]
				if _, err := evaluate(e, p, tok); !errors.Is(err, policy.ErrUnauthenticated) {
					t.Errorf("%s with %q at %d: %v, want ErrUnauthenticated", name, ins, at, err)
				}
			}
		}
	}
	swtKey := fill(64, 3)
	sp := single(swtRestriction(symKey(swtKey)))
	tok := swt(swtKey, swtBase(testNow.Add(time.Hour))...)
	if _, err := evaluate(e, sp, tok); err != nil {
		t.Fatalf("valid SWT refused: %v", err)
	}
	i := strings.Index(tok, "HMACSHA256=") + len("HMACSHA256=") + 4
	if _, err := evaluate(e, sp, tok[:i]+"%0D%0A"+tok[i:]); !errors.Is(err, policy.ErrUnauthenticated) {
		t.Errorf("SWT with CR/LF in its signature: %v, want ErrUnauthenticated", err)
	}
}
