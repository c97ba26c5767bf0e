package httpx

import "net/http"

// StatusWriter remembers the status and size of the response written
// through it, for access and audit logs.
type StatusWriter struct {
	http.ResponseWriter
	status int
	n      int64
}

// WriteHeader records the first status.
func (w *StatusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write counts the bytes; a body without WriteHeader is a 200.
func (w *StatusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.n += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *StatusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Status returns the status written, 0 when nothing was.
func (w *StatusWriter) Status() int { return w.status }

// Bytes returns the body bytes written.
func (w *StatusWriter) Bytes() int64 { return w.n }
