package browser

import (
	"net/http"
	"net/http/httptest"
	"path"
	"testing"
)

// mediaTypes are the streaming file types Go's mime table may not know.
var mediaTypes = map[string]string{
	".mpd":  "application/dash+xml",
	".m3u8": "application/vnd.apple.mpegurl",
	".m4s":  "video/iso.segment",
	".ts":   "video/mp2t",
	".mp4":  "video/mp4",
	".m4a":  "audio/mp4",
	".ism":  "application/xml",
}

// CORS lets the player page (another origin) read h's responses, as the
// page needs from every server it plays from: Access-Control-Allow-Origin
// on every response, and preflights answered for the Authorization,
// Content-Type and Range request headers.
func CORS(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Expose-Headers", "Content-Length, Content-Range")
		if r.Method == http.MethodOptions {
			w.Header().Set("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS")
			w.Header().Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Range")
			w.Header().Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// ServeDir serves dir over HTTP on 127.0.0.1 with CORS and streaming
// content types until the test ends, and returns its base URL.
func ServeDir(t testing.TB, dir string) string {
	t.Helper()
	srv := httptest.NewServer(CORS(fileServer(dir)))
	t.Cleanup(srv.Close)
	return srv.URL
}

// fileServer is http.FileServer with media content types set up front
// (ServeContent keeps a Content-Type already set).
func fileServer(dir string) http.Handler {
	fs := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ct, ok := mediaTypes[path.Ext(r.URL.Path)]; ok {
			w.Header().Set("Content-Type", ct)
		}
		fs.ServeHTTP(w, r)
	})
}
