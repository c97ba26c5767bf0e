package fairplay

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/lockstream/lockstream/internal/keys"
)

// HLS EXT-X-KEY attribute values for FairPlay Streaming.
const (
	KeyFormat         = "com.apple.streamingkeydelivery"
	KeyFormatVersions = "1"
)

// MaxSKDURILength bounds what ParseSKDURI reads; an skd URI comes from the
// player (EME init data, license request bodies) and is short.
const MaxSKDURILength = 2048

// ErrInvalidSKDURI means a string is not an skd:// URI that names a key ID.
var ErrInvalidSKDURI = errors.New("fairplay: invalid skd uri")

// SKDURI returns the AMS-style key URI for kid on host, the streaming
// endpoint's key-delivery host name (with an optional port):
// "skd://<host>/FairPlay/?kid=<uuid>". host is written as given; it comes
// from configuration, not from requests.
func SKDURI(host string, kid keys.KID) string {
	return "skd://" + host + "/FairPlay/?kid=" + kid.String()
}

// ParseSKDURI extracts the key ID from an skd:// URI. It accepts:
//
//   - any host and path with a single "kid" query parameter holding the key
//     ID as a UUID (with dashes, either case) or as 32 hex digits; this
//     covers the AMS form that SKDURI writes;
//   - "skd://<key id>", the whole opaque part being the key ID in one of
//     those forms, as several packagers write it; host is then "".
//
// host is the URI's host (with port, if any). The scheme is compared
// without regard to case.
func ParseSKDURI(uri string) (host string, kid keys.KID, err error) {
	host, kid, err = parseSKD(uri)
	if err != nil {
		return "", keys.KID{}, fmt.Errorf("parse skd uri: %w", err)
	}
	return host, kid, nil
}

func parseSKD(uri string) (string, keys.KID, error) {
	if len(uri) > MaxSKDURILength {
		return "", keys.KID{}, fmt.Errorf("%w: %d bytes, limit %d", ErrInvalidSKDURI, len(uri), MaxSKDURILength)
	}
	u, err := url.Parse(uri)
	if err != nil {
		return "", keys.KID{}, fmt.Errorf("%w: %w", ErrInvalidSKDURI, err)
	}
	if u.Scheme != "skd" { // url.Parse lower-cases the scheme
		return "", keys.KID{}, fmt.Errorf("%w: scheme %.16q, want skd", ErrInvalidSKDURI, u.Scheme)
	}
	if u.Opaque != "" || u.User != nil || u.Fragment != "" || u.Host == "" {
		return "", keys.KID{}, fmt.Errorf("%w: want skd://host…", ErrInvalidSKDURI)
	}
	if !validHost(u.Host) {
		return "", keys.KID{}, fmt.Errorf("%w: host %.64q", ErrInvalidSKDURI, u.Host)
	}
	if u.RawQuery == "" && (u.Path == "" || u.Path == "/") {
		kid, err := parseKID(u.Host)
		if err != nil {
			return "", keys.KID{}, fmt.Errorf("%w: no kid parameter and the host is not a key id", ErrInvalidSKDURI)
		}
		return "", kid, nil
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", keys.KID{}, fmt.Errorf("%w: query: %w", ErrInvalidSKDURI, err)
	}
	vals := q["kid"]
	if len(vals) != 1 {
		return "", keys.KID{}, fmt.Errorf("%w: want one kid parameter, have %d", ErrInvalidSKDURI, len(vals))
	}
	kid, err := parseKID(vals[0])
	if err != nil {
		return "", keys.KID{}, fmt.Errorf("%w: kid: %w", ErrInvalidSKDURI, err)
	}
	return u.Host, kid, nil
}

// validHost accepts the characters of DNS names, IPv4 and bracketed IPv6
// addresses and a port, so that SKDURI(host, kid) reproduces the URI.
func validHost(h string) bool {
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("-._:[]", c) >= 0) {
			return false
		}
	}
	return h != ""
}

func parseKID(s string) (keys.KID, error) {
	if len(s) == 32 {
		var kid keys.KID
		if _, err := hex.Decode(kid[:], []byte(s)); err != nil {
			return keys.KID{}, fmt.Errorf("not 32 hex digits")
		}
		return kid, nil
	}
	return keys.ParseKID(s)
}
