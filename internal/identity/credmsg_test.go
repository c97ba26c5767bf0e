package identity_test

import (
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/identity/identitytest"
)

// TestBadCredentialsMessagesAgree: an unknown client id and a wrong secret
// get the same answer, which claims neither that the client exists nor
// that it does not, and the log line of each failure uses the same words
// as the answer, adding the reason for the operator only.
func TestBadCredentialsMessagesAgree(t *testing.T) {
	env := identitytest.New(t, nil)
	clientID, secret := env.NewClient(t, "Reader", "*")
	// The generated secret's tag selects its hash; keep it so the
	// failure is a wrong secret, not an unknown one.
	tag, _, _ := strings.Cut(secret, "~")
	wrong := tag + "~wrong-secret-0123456789"
	var descs []string
	for _, id := range []string{clientID, "no-such-client"} {
		w := identitytest.PostToken(env.Svc, identitytest.SecretForm(id, wrong))
		if w.Code != 401 {
			t.Fatalf("%s: status %d", id, w.Code)
		}
		body := w.Body.String()
		if !strings.Contains(body, "Invalid client credentials") || strings.Contains(body, "Invalid client secret") {
			t.Errorf("%s: body %s", id, body)
		}
		_, d, _ := strings.Cut(body, `"error_description":"`)
		d, _, _ = strings.Cut(d, " Trace ID")
		descs = append(descs, d)
	}
	if descs[0] != descs[1] {
		t.Errorf("answers differ:\n%s\n%s", descs[0], descs[1])
	}
	logs := env.Logs()
	for _, want := range []string{"invalid client credentials (unknown client)", "invalid client credentials (wrong secret)"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
}
