package drm

import (
	"strings"

	"github.com/lockstream/lockstream/internal/keys"
)

// Placeholders that AMS streaming policies allow in
// customKeyAcquisitionUrlTemplate and customLicenseAcquisitionUrlTemplate.
// AMS matches them exactly, case included, and so does [ExpandTemplate].
const (
	PlaceholderContentKeyID       = "{ContentKeyId}"
	PlaceholderAlternativeMediaID = "{AlternativeMediaId}"
)

// ExpandTemplate substitutes the placeholders of an AMS key or license
// acquisition URL template: {ContentKeyId} becomes kid in lower-case UUID
// form with dashes (as AMS writes it) and {AlternativeMediaId} becomes the
// streaming locator's alternativeMediaId, which may be empty. Every
// occurrence is replaced; anything else in tmpl is left as it is.
//
// Substituted values are percent-encoded except for the RFC 3986
// unreserved characters (letters, digits, '-', '.', '_', '~'). That is
// stricter than url.PathEscape or url.QueryEscape but is right wherever the
// placeholder sits — path segment, query value, or the opaque part of an
// skd:// URI — so an alternativeMediaId holding '/', '&', '#' or '+' cannot
// change the URL's structure. A UUID needs no escaping.
func ExpandTemplate(tmpl string, kid keys.KID, alternativeMediaID string) string {
	if !strings.Contains(tmpl, "{") {
		return tmpl
	}
	r := strings.NewReplacer(
		PlaceholderContentKeyID, escapeUnreserved(kid.String()),
		PlaceholderAlternativeMediaID, escapeUnreserved(alternativeMediaID),
	)
	return r.Replace(tmpl)
}

func escapeUnreserved(s string) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0x0f])
	}
	return b.String()
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}
