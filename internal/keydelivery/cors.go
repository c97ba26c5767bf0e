package keydelivery

import "net/http"

// setCommonHeaders applies to every answer, errors included. Players run
// in pages of other origins (EME license requests and hls.js key fetches
// are cross-origin XHRs), so every answer must be readable from any
// origin; tokens travel in a header or the query, never in cookies, so a
// wildcard origin exposes nothing a caller does not already hold.
func setCommonHeaders(h http.Header) {
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "WWW-Authenticate, x-ms-error-code")
	// Keys and licenses are per caller and may be single-use: no cache
	// may keep them.
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
}

// preflight answers a CORS preflight for any key-delivery path.
func preflight(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}
