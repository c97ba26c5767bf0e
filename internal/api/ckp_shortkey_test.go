package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/api"
)

// TestShortHS256KeyWarns: a 16-byte HS256 key (what the AMS samples use)
// is accepted as AMS accepted it, with a warning in the response header
// and the log naming the field (never the key); a 32-byte key gets no
// warning; a 15-byte key is refused with a 400 naming the field.
func TestShortHS256KeyWarns(t *testing.T) {
	ts := newTestServer(t)
	const field = "properties.options[0].restriction.primaryVerificationKey.keyValue"
	key16 := []byte("0123456789abcdef")
	r := ts.mustDo(http.MethodPut, a("/contentKeyPolicies/short"), ckpTokenBody(key16), http.StatusCreated)
	w := r.Header.Values(api.WarningHeader)
	if len(w) != 1 || !strings.HasPrefix(w[0], field+": ") || strings.Contains(w[0], b64(key16)) {
		t.Fatalf("warning header %q, want one warning naming %s", w, field)
	}
	if log := ts.log.String(); !strings.Contains(log, "short HS256 key") || !strings.Contains(log, field) || strings.Contains(log, b64(key16)) {
		t.Fatalf("log lacks the warning or shows the key:\n%s", log)
	}
	r = ts.mustDo(http.MethodPut, a("/contentKeyPolicies/long"), ckpTokenBody([]byte("0123456789abcdef0123456789abcdef")), http.StatusCreated)
	if w := r.Header.Values(api.WarningHeader); len(w) != 0 {
		t.Fatalf("32-byte key warned: %q", w)
	}
	r = ts.call(http.MethodPut, a("/contentKeyPolicies/tooshort"), ckpTokenBody([]byte("0123456789abcde")))
	if e := checkError(t, r, http.StatusBadRequest, "InvalidParameter"); e.Error.Target != field {
		t.Fatalf("15-byte key: target %q, want %s", e.Error.Target, field)
	}
}
