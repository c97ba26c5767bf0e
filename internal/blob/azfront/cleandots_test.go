package azfront

import (
	"strings"
	"testing"
)

func TestCleanDots(t *testing.T) {
	for in, want := range map[string]string{
		"/c/b.txt":       "/c/b.txt",
		"/../c/b.txt":    "/c/b.txt",
		"/../../c/b.txt": "/c/b.txt",
		"/./../c/b":      "/c/b",
		"/..":            "/",
		"/../":           "/",
		// After the first real segment nothing is rewritten: the name
		// checks refuse dot segments in blob names.
		"/blob/../c/b":   "/blob/../c/b",
		"/c/./b":         "/c/./b",
		"/c/..":          "/c/..",
		"/c/.hidden/x":   "/c/.hidden/x",
		"/..c/x":         "/..c/x",
		"/blob../c/file": "/blob../c/file",
	} {
		if got := cleanDots(in); got != want {
			t.Errorf("cleanDots(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzCleanDots: the result keeps the root, starts with no dot segment,
// and is a suffix of the input (only leading dot segments are removed).
func FuzzCleanDots(f *testing.F) {
	for _, s := range []string{"/../c/b", "/a/./../..", "/..", "//..//.", "/c/b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if !strings.HasPrefix(p, "/") {
			return
		}
		got := cleanDots(p)
		if !strings.HasPrefix(got, "/") {
			t.Fatalf("cleanDots(%q) = %q: lost the root", p, got)
		}
		if first, _, _ := strings.Cut(got[1:], "/"); first == "." || first == ".." {
			t.Fatalf("cleanDots(%q) = %q: leading dot segment left", p, got)
		}
		if !strings.HasSuffix(p, got) && got != "/" {
			t.Fatalf("cleanDots(%q) = %q: not a suffix", p, got)
		}
	})
}
