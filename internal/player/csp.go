package player

import "net/http"

// ContentSecurityPolicy is sent with every response of the handler.
//
// Scripts and styles come only from Lockstream itself (no inline code, no
// eval: Shaka Player's compiled build needs neither), so an injected
// string in a manifest or a token claim the page displays cannot run.
// connect-src and media-src allow any http(s) origin because the page
// fetches manifests and segments from the streaming origin (another
// listener, often another host or a CDN) and licenses from key delivery
// or a third-party DRM service; blob: is the MediaSource URL Shaka
// attaches to the video element, data: the init data URIs HLS playlists
// carry. Workers are allowed from self and blob: for Shaka's optional
// transmuxer. The page may not be framed (a framing site could overlay the
// token and password fields), and forms post nowhere (the page sends its
// requests with fetch).
const ContentSecurityPolicy = "default-src 'none'; " +
	"script-src 'self'; " +
	"style-src 'self'; " +
	"img-src 'self' data: blob:; " +
	"media-src 'self' blob: data: http: https:; " +
	"connect-src 'self' data: blob: http: https:; " +
	"worker-src 'self' blob:; " +
	"base-uri 'none'; " +
	"form-action 'none'; " +
	"frame-ancestors 'none'"

// setSecurityHeaders sets the headers every answer carries, 404s included.
func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	// The streaming origin and third-party license servers need not learn
	// where the page is (its URL holds no secret, but an operator may add
	// a query of its own).
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
}
