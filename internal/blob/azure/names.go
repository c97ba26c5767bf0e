package azure

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/lockstream/lockstream/internal/blob"
)

// Limits on names. Azure allows 1024 characters per blob name; a path
// segment becomes one file name on disk, where 255 bytes is the common limit.
const (
	maxNameBytes    = 1024
	maxSegmentBytes = 255
)

// The rules below are kept identical to the local backend's (the shared
// conformance suite checks both): a name accepted by one backend must be
// accepted by the other, so assets can move between them.

// validateContainer enforces Azure's container naming rules: 3–63
// characters of lower-case letters, digits and single hyphens, starting and
// ending with a letter or digit.
func validateContainer(c string) error {
	if len(c) < 3 || len(c) > 63 {
		return fmt.Errorf("%w: container %q: length must be 3-63", blob.ErrInvalidName, c)
	}
	for i := 0; i < len(c); i++ {
		ch := c[i]
		switch {
		case ch >= 'a' && ch <= 'z', ch >= '0' && ch <= '9':
		case ch == '-':
			if i == 0 || i == len(c)-1 || c[i-1] == '-' {
				return fmt.Errorf("%w: container %q: misplaced hyphen", blob.ErrInvalidName, c)
			}
		default:
			return fmt.Errorf("%w: container %q: only a-z, 0-9 and '-' allowed", blob.ErrInvalidName, c)
		}
	}
	return nil
}

// validateName checks a blob name. The rules are stricter than Azure's on
// purpose, matching the local backend where a name is a file path: no ".",
// "..", empty segments, leading '/', backslashes, NUL or control bytes,
// invalid UTF-8 or segments over 255 bytes. Azure would accept some of
// these and normalise others ("a/../b") in surprising ways.
func validateName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: empty blob name", blob.ErrInvalidName)
	}
	if len(name) > maxNameBytes {
		return fmt.Errorf("%w: blob name longer than %d bytes", blob.ErrInvalidName, maxNameBytes)
	}
	if !utf8.ValidString(name) {
		return fmt.Errorf("%w: blob name %q is not valid UTF-8", blob.ErrInvalidName, name)
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return fmt.Errorf("%w: blob name %q contains a forbidden byte 0x%02x", blob.ErrInvalidName, name, c)
		}
	}
	for seg := range strings.SplitSeq(name, "/") {
		switch {
		case seg == "":
			return fmt.Errorf("%w: blob name %q has an empty segment", blob.ErrInvalidName, name)
		case seg == "." || seg == "..":
			return fmt.Errorf("%w: blob name %q has a %q segment", blob.ErrInvalidName, name, seg)
		case len(seg) > maxSegmentBytes:
			return fmt.Errorf("%w: blob name %q has a segment longer than %d bytes", blob.ErrInvalidName, name, maxSegmentBytes)
		}
	}
	return nil
}

// validatePrefix checks a List prefix. A prefix need not be a whole name
// ("videos/cl" is fine) but must not contain bytes no name can contain, so a
// malformed prefix is an error rather than a silently empty result.
func validatePrefix(prefix string) error {
	if len(prefix) > maxNameBytes || !utf8.ValidString(prefix) {
		return fmt.Errorf("%w: list prefix %q", blob.ErrInvalidName, prefix)
	}
	for i := 0; i < len(prefix); i++ {
		if c := prefix[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return fmt.Errorf("%w: list prefix %q contains a forbidden byte", blob.ErrInvalidName, prefix)
		}
	}
	return nil
}
