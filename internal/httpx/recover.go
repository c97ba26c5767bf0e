package httpx

import (
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
)

// Recover turns a handler panic into a 500 and a logged stack, so one bad
// request cannot take the server down. onPanic writes the response body.
func Recover(log *slog.Logger, onPanic func(http.ResponseWriter, *http.Request), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(v)
				}
				log.Error("panic", "id", ID(r.Context()), "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				onPanic(w, r)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
