package drm

import (
	"net/url"
	"strings"

	"github.com/lockstream/lockstream/internal/defs"

	"github.com/lockstream/lockstream/internal/keys"
)

// Placeholders that AMS streaming policies allow in
// customKeyAcquisitionUrlTemplate and customLicenseAcquisitionUrlTemplate.
// AMS matches them exactly, case included, and so does [ExpandTemplate].
// {AssetAlternativeId}, which AMS examples use, is a legacy alias of
// {AlternativeMediaId} (the API accepts it, see defs).
const (
	PlaceholderContentKeyID       = defs.TokenContentKeyID
	PlaceholderAlternativeMediaID = defs.TokenAlternativeMediaID
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
	alt := escapeUnreserved(alternativeMediaID)
	r := strings.NewReplacer(
		PlaceholderContentKeyID, escapeUnreserved(kid.String()),
		PlaceholderAlternativeMediaID, alt,
		defs.TokenAssetAlternativeID, alt,
	)
	return r.Replace(tmpl)
}

// escapeUnreserved percent-encodes all but the unreserved characters:
// QueryEscape does exactly that, except that it writes a space as '+',
// which means a space only inside a query.
func escapeUnreserved(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
