package streamurl

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits. MaxPathLen bounds the work Parse does for one request; the file
// limits are those of internal/blob (a file segment becomes a file name on
// disk in the local backend), applied here so an impossible name is a 400
// rather than a storage error.
const (
	MaxPathLen      = 4096 // escaped path, in bytes
	MaxFileBytes    = 1024 // download file path (unescaped)
	MaxSegmentBytes = 255  // one segment of the .ism name or a download file
	MaxNameChars    = 260  // track and filter names, in characters (the AMS limit)
)

// unescapeSegment unescapes one '/'-separated segment of an escaped path and
// refuses anything that could navigate or confuse a file system: "." and
// "..", an escaped '/', a backslash (a separator on Windows), control bytes
// (NUL truncates C strings) and invalid UTF-8.
func unescapeSegment(seg string) (string, *Error) {
	if seg == "" {
		return "", syntaxErr("empty path segment")
	}
	u, err := url.PathUnescape(seg)
	if err != nil {
		e := syntaxErr("segment %s has a bad percent-escape", q(seg))
		e.Err = err
		return "", e
	}
	switch {
	case u == "." || u == "..":
		return "", syntaxErr("segment %s is not allowed", q(u))
	case strings.IndexByte(u, '/') >= 0:
		return "", syntaxErr("segment %s contains an escaped '/'", q(seg))
	case strings.IndexByte(u, '\\') >= 0:
		return "", syntaxErr("segment %s contains a backslash", q(seg))
	case !utf8.ValidString(u):
		return "", syntaxErr("segment %s is not valid UTF-8", q(seg))
	}
	for _, r := range u {
		if unicode.IsControl(r) {
			return "", syntaxErr("segment %s contains a control character", q(seg))
		}
	}
	return u, nil
}

// checkFileSegment applies the extra limits on segments that name files
// (the .ism file and download paths).
func checkFileSegment(u string) *Error {
	if len(u) > MaxSegmentBytes {
		return syntaxErr("segment %s is longer than %d bytes", q(u), MaxSegmentBytes)
	}
	return nil
}

// escapeSegment percent-escapes s for use as (part of) a path segment. It
// keeps the unreserved characters and the sub-delimiters that the grammar
// uses literally, and escapes everything else, including '$', '{' and '}'
// so that a name can never look like a DASH or Smooth template placeholder.
func escapeSegment(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !keepByte(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if keepByte(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func keepByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!&'()*+,;=:@", c) >= 0
}

// CheckTrackName reports whether name can appear as a track name in a
// streaming URL (Fragments(name=…), Manifest(name,…), audiotrack=name):
// 1–260 characters, no control characters, no leading or trailing white
// space, and none of the grammar's delimiters / \ ( ) , = ;. Packagers
// should check track names taken from a .ism with it, because a track that
// fails it cannot be requested.
func CheckTrackName(name string) error {
	if err := checkTrackName(name); err != nil {
		return err
	}
	return nil
}

func checkTrackName(name string) *Error {
	if name == "" {
		return syntaxErr("empty track name")
	}
	if !utf8.ValidString(name) {
		return syntaxErr("track name %s is not valid UTF-8", q(name))
	}
	if n := utf8.RuneCountInString(name); n > MaxNameChars {
		return syntaxErr("track name %s is longer than %d characters", q(name), MaxNameChars)
	}
	for _, r := range name {
		if unicode.IsControl(r) || strings.ContainsRune(`/\(),=;`, r) {
			return syntaxErr("track name %s contains %q", q(name), r)
		}
	}
	first, _ := utf8.DecodeRuneInString(name)
	last, _ := utf8.DecodeLastRuneInString(name)
	if unicode.IsSpace(first) || unicode.IsSpace(last) {
		return syntaxErr("track name %s starts or ends with white space", q(name))
	}
	return nil
}
