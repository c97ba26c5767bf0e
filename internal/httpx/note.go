package httpx

import (
	"context"
	"net/http"
)

type noteKey struct{}

// NoteReplayed is key delivery's note for a token whose max uses are
// spent (a replay), which answers 401 like any invalid token.
const NoteReplayed = "replayed"

// WithNote gives r room for one short outcome note that a handler deep
// in the request can set (SetNote) and an outer middleware reads after
// the handler returns — for example key delivery telling the metrics
// that a refusal was a replayed max-uses token, which the status alone
// does not say. Only middleware that reads notes calls it, so requests
// without a reader cost nothing.
func WithNote(r *http.Request) (*http.Request, *string) {
	p := new(string)
	return r.WithContext(context.WithValue(r.Context(), noteKey{}, p)), p
}

// SetNote records s as the request's outcome note; a no-op when no
// middleware asked for one. s must come from a fixed set (it can become
// a metric label): never a key, a token or a name.
func SetNote(ctx context.Context, s string) {
	if p, ok := ctx.Value(noteKey{}).(*string); ok {
		*p = s
	}
}
