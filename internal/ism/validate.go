package ism

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxSrcBytes bounds Src: the blob-name limit of internal/blob.
const MaxSrcBytes = 1024

// validate applies the rules shared by Parse and Marshal, so that Marshal
// never writes what Parse would refuse.
func (m *Manifest) validate() error {
	for i, mt := range m.Meta {
		if mt.Name == "" {
			return fmt.Errorf("%w: meta %d has no name", ErrInvalid, i)
		}
		if err := xmlText(mt.Name); err != nil {
			return fmt.Errorf("%w: meta %d name: %w", ErrInvalid, i, err)
		}
		if err := xmlText(mt.Content); err != nil {
			return fmt.Errorf("%w: meta %d content: %w", ErrInvalid, i, err)
		}
	}
	if len(m.Entries) == 0 {
		return fmt.Errorf("%w: no video, audio or textstream entries", ErrInvalid)
	}
	for i := range m.Entries {
		if err := m.Entries[i].validate(i); err != nil {
			return err
		}
	}
	return nil
}

func (e *Entry) validate(i int) error {
	where := fmt.Sprintf("entry %d (<%s>)", i, clip(e.Kind, 32))
	switch e.Kind {
	case KindVideo, KindAudio, KindTextStream:
	default:
		return fmt.Errorf("%w: %s: unsupported kind", ErrInvalid, where)
	}
	if err := checkSrc(e.Src); err != nil {
		return fmt.Errorf("%w: %s: src %s: %w", ErrInvalid, where, quote(e.Src), err)
	}
	if err := xmlText(e.Src); err != nil {
		return fmt.Errorf("%w: %s: src %s: %w", ErrInvalid, where, quote(e.Src), err)
	}
	if err := xmlText(e.Language); err != nil {
		return fmt.Errorf("%w: %s: systemLanguage: %w", ErrInvalid, where, err)
	}
	if err := xmlText(e.TrackName); err != nil {
		return fmt.Errorf("%w: %s: trackName: %w", ErrInvalid, where, err)
	}
	for name, value := range e.Params {
		switch {
		case name == "":
			return fmt.Errorf("%w: %s: param with an empty name", ErrInvalid, where)
		case strings.EqualFold(name, ParamTrackID), strings.EqualFold(name, ParamTrackName):
			return fmt.Errorf("%w: %s: param %s belongs in TrackID/TrackName", ErrInvalid, where, quote(name))
		}
		if err := xmlText(name); err != nil {
			return fmt.Errorf("%w: %s: param name: %w", ErrInvalid, where, err)
		}
		if err := xmlText(value); err != nil {
			return fmt.Errorf("%w: %s: param %s: %w", ErrInvalid, where, quote(name), err)
		}
	}
	return nil
}

// checkSrc refuses a src that could reach outside the asset: absolute
// paths, URLs and drive letters (':' is refused outright), "." and ".."
// segments, backslashes (a separator on Windows) and control characters.
// The same rules as internal/blob's names apply, so any accepted src is a
// blob name relative to the asset.
func checkSrc(s string) error {
	switch {
	case s == "":
		return fmt.Errorf("empty")
	case len(s) > MaxSrcBytes:
		return fmt.Errorf("longer than %d bytes", MaxSrcBytes)
	case !utf8.ValidString(s):
		return fmt.Errorf("not valid UTF-8")
	case s[0] == '/':
		return fmt.Errorf("absolute path")
	case strings.ContainsAny(s, `\:`):
		return fmt.Errorf("contains '\\' or ':' (absolute path or URL)")
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Errorf("contains a control character")
		}
	}
	for seg := range strings.SplitSeq(s, "/") {
		switch seg {
		case "":
			return fmt.Errorf("empty path segment")
		case ".", "..":
			return fmt.Errorf("%q segment", seg)
		}
	}
	return nil
}

// xmlText checks that s can be written in an XML 1.0 attribute and read
// back unchanged: valid UTF-8 made of XML characters.
func xmlText(s string) error {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				return fmt.Errorf("not valid UTF-8")
			}
		}
		if !isXMLChar(r) {
			return fmt.Errorf("character %U is not allowed in XML", r)
		}
	}
	return nil
}

// isXMLChar is the Char production of XML 1.0.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// quote quotes s for an error message, keeping at most 64 bytes of it.
func quote(s string) string { return strconv.Quote(clip(s, 64)) }

// clip cuts s at a rune boundary after n bytes and marks the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}
