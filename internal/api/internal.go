package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/lockstream/lockstream/internal/auth"
)

// Do runs one management request in-process as principal p, bypassing
// authentication. Lockstream uses it to seed the demo and from CLI tools;
// path is an ARM path without the query string.
func (s *Server) Do(ctx context.Context, p auth.Principal, method, path string, body any) (int, []byte, error) {
	var rd *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, fmt.Errorf("encode body: %w", err)
		}
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	req, err := http.NewRequestWithContext(ctx, method, path+sep+"api-version="+APIVersions[len(APIVersions)-1], rd)
	if err != nil {
		return 0, nil, fmt.Errorf("build request: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	w := &bufferWriter{header: http.Header{}}
	c := &call{s: s, w: w, r: req, ctx: auth.WithPrincipal(ctx, p), principal: p, now: s.now(), apiVersion: APIVersions[len(APIVersions)-1]}
	if err := s.route(c); err != nil {
		writeError(s.Log, w, req, err)
	}
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.status, w.buf.Bytes(), nil
}

// bufferWriter is a minimal in-memory http.ResponseWriter.
type bufferWriter struct {
	header http.Header
	status int
	buf    bytes.Buffer
}

func (w *bufferWriter) Header() http.Header { return w.header }
func (w *bufferWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *bufferWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.buf.Write(b)
}
