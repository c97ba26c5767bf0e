package blob

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits on names. Azure allows 1024 characters per blob name; a path
// segment becomes one file name on disk, where 255 bytes is the common limit.
const (
	MaxNameBytes    = 1024
	MaxSegmentBytes = 255
)

// ValidateContainer enforces Azure's container naming rules: 3–63
// characters of lower-case letters, digits and single hyphens, starting and
// ending with a letter or digit. Because no valid name can start with '.',
// the store's private directory (".lockstream") can never be addressed as a
// container.
func ValidateContainer(c string) error {
	if len(c) < 3 || len(c) > 63 {
		return fmt.Errorf("%w: container %q: length must be 3-63", ErrInvalidName, c)
	}
	for i := 0; i < len(c); i++ {
		ch := c[i]
		switch {
		case ch >= 'a' && ch <= 'z', ch >= '0' && ch <= '9':
		case ch == '-':
			if i == 0 || i == len(c)-1 || c[i-1] == '-' {
				return fmt.Errorf("%w: container %q: misplaced hyphen", ErrInvalidName, c)
			}
		default:
			return fmt.Errorf("%w: container %q: only a-z, 0-9 and '-' allowed", ErrInvalidName, c)
		}
	}
	return nil
}

// ValidateName checks a blob name. The rules are stricter than Azure's on
// purpose, and every backend applies the same rules so assets can move
// between them: a name maps 1:1 to a relative file path in the local
// backend, so anything a file system could read as navigation (".", "..",
// empty segments, a leading '/'), as a separator on another OS ('\\'), or
// that cannot be a file name (NUL, control bytes, invalid UTF-8, over-long
// segments) is refused. Azure would accept some of these and normalise
// others ("a/../b") in surprising ways.
func ValidateName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: empty blob name", ErrInvalidName)
	}
	if len(name) > MaxNameBytes {
		return fmt.Errorf("%w: blob name longer than %d bytes", ErrInvalidName, MaxNameBytes)
	}
	if !utf8.ValidString(name) {
		return fmt.Errorf("%w: blob name %q is not valid UTF-8", ErrInvalidName, name)
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return fmt.Errorf("%w: blob name %q contains a forbidden byte 0x%02x", ErrInvalidName, name, c)
		}
	}
	for seg := range strings.SplitSeq(name, "/") {
		switch {
		case seg == "":
			return fmt.Errorf("%w: blob name %q has an empty segment", ErrInvalidName, name)
		case seg == "." || seg == "..":
			return fmt.Errorf("%w: blob name %q has a %q segment", ErrInvalidName, name, seg)
		case len(seg) > MaxSegmentBytes:
			return fmt.Errorf("%w: blob name %q has a segment longer than %d bytes", ErrInvalidName, name, MaxSegmentBytes)
		}
	}
	return nil
}

// ValidatePrefix checks a List prefix. A prefix need not be a whole name
// ("videos/cl" is fine) but must not contain bytes no name can contain, so a
// malformed prefix is an error rather than a silently empty result.
func ValidatePrefix(prefix string) error {
	if len(prefix) > MaxNameBytes || !utf8.ValidString(prefix) {
		return fmt.Errorf("%w: list prefix %q", ErrInvalidName, prefix)
	}
	for i := 0; i < len(prefix); i++ {
		if c := prefix[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return fmt.Errorf("%w: list prefix %q contains a forbidden byte", ErrInvalidName, prefix)
		}
	}
	return nil
}
