package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

type ctxKey struct{}

// RequestID tags each request with an id (x-ms-request-id, as ARM clients
// log it) and stores it in the context.
func RequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [16]byte
		_, _ = rand.Read(b[:])
		id := hex.EncodeToString(b[:])
		// Canonical names assigned directly: this runs on every request
		// (Header.Set canonicalises the name each time).
		h := w.Header()
		h["X-Ms-Request-Id"] = []string{id}
		if cid := r.Header.Get("X-Ms-Client-Request-Id"); cid != "" && len(cid) <= 128 {
			h["X-Ms-Client-Request-Id"] = []string{cid}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, id)))
	})
}

// ID returns the request id stored by RequestID, or "".
func ID(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}
