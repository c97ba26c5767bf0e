package keydelivery

import "net/http"

// setCommonHeaders applies to every answer, errors included. Players run
// in pages of other origins (EME license requests and hls.js key fetches
// are cross-origin XHRs), so every answer must be readable from any
// origin; tokens travel in a header or the query, never in cookies, so a
// wildcard origin exposes nothing a caller does not already hold.
//
// The names are canonical and assigned directly, with the values in one
// allocation: this runs on every key request, where Header.Set's
// canonicalisation and one slice per header showed in profiles.
func setCommonHeaders(h http.Header) {
	v := make([]string, 4)
	v[0], v[1], v[2], v[3] = "*", "WWW-Authenticate, x-ms-error-code", "no-store", "nosniff"
	h["Access-Control-Allow-Origin"] = v[0:1:1]
	h["Access-Control-Expose-Headers"] = v[1:2:2]
	// Keys and licenses are per caller and may be single-use: no cache
	// may keep them.
	h["Cache-Control"] = v[2:3:3]
	h["X-Content-Type-Options"] = v[3:4:4]
}

// preflight answers a CORS preflight for any key-delivery path.
func preflight(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}
