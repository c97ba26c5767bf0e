package local

import (
	"errors"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/blob"
)

// FuzzValidateName checks that every accepted name is a clean, local,
// slash-separated relative path: nothing accepted can address anything
// outside its container directory.
func FuzzValidateName(f *testing.F) {
	for _, s := range []string{
		"a", "a/b/c.mp4", "videos/clip 1/video.mp4", "ünï/cödé", "..", "../x", "a/../b", "a/..", "./a",
		"/abs", "a//b", "a/", `a\b`, "a\x00b", "a\x7f", ".hidden", "...", "a/.../b", "C:/x", "C:x",
		strings.Repeat("x", 256), strings.Repeat("x/", 300), "\xff\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		err := blob.ValidateName(name)
		if err != nil {
			if !errors.Is(err, blob.ErrInvalidName) {
				t.Fatalf("blob.ValidateName(%q) = %v; want an ErrInvalidName", name, err)
			}
			return
		}
		if !filepath.IsLocal(name) || path.Clean(name) != name || path.IsAbs(name) {
			t.Fatalf("validateName accepted %q, which is not a clean local path", name)
		}
		if strings.ContainsAny(name, "\\\x00") || len(name) > blob.MaxNameBytes {
			t.Fatalf("validateName accepted %q with a forbidden byte or length", name)
		}
		for _, seg := range strings.Split(name, "/") {
			if seg == "" || seg == "." || seg == ".." {
				t.Fatalf("validateName accepted %q with segment %q", name, seg)
			}
		}
		// The joined data path stays inside the container directory.
		if p := path.Clean(dataPath("c0ntainer", name)); !strings.HasPrefix(p, "c0ntainer/") {
			t.Fatalf("name %q maps to %q outside the container", name, p)
		}
	})
}

// FuzzValidateContainer checks that accepted container names use only the
// Azure alphabet, so none can address the private ".lockstream" area.
func FuzzValidateContainer(f *testing.F) {
	for _, s := range []string{"abc", "a-b-c", "a--b", "-ab", "ab-", ".lockstream", "..", "UPPER", strings.Repeat("a", 64)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, c string) {
		if blob.ValidateContainer(c) != nil {
			return
		}
		if len(c) < 3 || len(c) > 63 || strings.Trim(c, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" || strings.Contains(c, "--") || c[0] == '-' {
			t.Fatalf("validateContainer accepted %q", c)
		}
	})
}
