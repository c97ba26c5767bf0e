package httpx

import (
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
)

// Recover turns a handler panic into a 500 and a logged stack, so one bad
// request cannot take the server down. onPanic writes the response body.
// A panic after the response started (a streamed segment whose source
// faulted mid-body) cannot become a 500: the connection is aborted
// instead, so the client sees a cut response rather than an error text
// appended to the bytes it already has.
func Recover(log *slog.Logger, onPanic func(http.ResponseWriter, *http.Request), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Whether the response started: from the StatusWriter an outer
		// middleware (metrics) already put around w, else from our own.
		sw, ok := w.(*StatusWriter)
		if !ok {
			sw = &StatusWriter{ResponseWriter: w}
			w = sw
		}
		defer func() {
			if v := recover(); v != nil {
				if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(v)
				}
				log.Error("panic", "id", ID(r.Context()), "path", r.URL.Path, "panic", v, "started", sw.Status() != 0, "stack", string(debug.Stack()))
				if sw.Status() != 0 {
					panic(http.ErrAbortHandler)
				}
				onPanic(w, r)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
