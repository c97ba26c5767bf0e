package azfront_test

import (
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/blob/azfront"
	"github.com/lockstream/lockstream/internal/blob/local"
)

// TestSignsLikeLocal: with the same key and base URL, the front and the
// local backend mint the same signed URLs, so a node can switch the blob
// driver without invalidating URLs handed out, and one blob signing key
// serves both.
func TestSignsLikeLocal(t *testing.T) {
	k := []byte("shared-blob-signing-key-0123456789abcdef")
	ls, err := local.New(local.Config{Root: t.TempDir(), PublicBaseURL: "https://blob.example.com", URLPrefix: "/", SigningKey: k})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ls.Close() }()
	sig, err := azfront.NewSigner(k, "https://blob.example.com/", nil)
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	for _, p := range []blob.Permission{blob.PermRead, blob.PermReadWrite, blob.PermReadWriteDelete} {
		a, err := ls.SignedContainerURL(t.Context(), "asset-1", p, exp)
		if err != nil {
			t.Fatal(err)
		}
		b, err := sig.Sign(t.Context(), "asset-1", p, exp)
		if err != nil {
			t.Fatal(err)
		}
		if a != b {
			t.Errorf("%s: local %s, azfront %s", p, a, b)
		}
	}
	if _, err := azfront.NewSigner([]byte("short"), "https://x", nil); err == nil {
		t.Error("a short key was accepted")
	}
	if _, err := sig.Sign(t.Context(), "Bad_Name", blob.PermRead, exp); err == nil {
		t.Error("an invalid container was signed")
	}
}
