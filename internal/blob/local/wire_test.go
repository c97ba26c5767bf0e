package local_test

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/blob/azfront"
	"github.com/lockstream/lockstream/internal/blob/local"
)

// TestSignedURLsPinned pins the signed URLs of one key, expiry and
// container under both URL prefixes: URLs handed out stay valid whatever
// code mints and verifies them.
func TestSignedURLsPinned(t *testing.T) {
	exp := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	sigs := map[blob.Permission]string{
		blob.PermRead:            "se=2031-05-06T07%3A08%3A09Z&sig=QikmVH6RBmoMReQucFK%2FEaZRWj47UMtFhmmOQiObPiY%3D&sp=rl&sr=c&sv=2021-08-06",
		blob.PermReadWrite:       "se=2031-05-06T07%3A08%3A09Z&sig=BPcL1TrGoXZFhFZNpgTwtx5IYxeTmyz44JY6JaS6u7g%3D&sp=racwl&sr=c&sv=2021-08-06",
		blob.PermReadWriteDelete: "se=2031-05-06T07%3A08%3A09Z&sig=2Ofg4v0HVyDZojRGY0xWcc%2B3hbo9XRN6%2FB3OiR%2BGH6Y%3D&sp=racwdl&sr=c&sv=2021-08-06",
	}
	for prefix, base := range map[string]string{"": "https://blob.example.com/blob/asset-1?", "/": "https://blob.example.com/asset-1?"} {
		st, err := local.New(local.Config{Root: t.TempDir(), PublicBaseURL: "https://blob.example.com/", URLPrefix: prefix, SigningKey: testKey})
		if err != nil {
			t.Fatal(err)
		}
		for perm, q := range sigs {
			if u, err := st.SignedContainerURL(t.Context(), "asset-1", perm, exp); err != nil || u != base+q {
				t.Errorf("prefix %q %s: %s, %v; want %s", prefix, perm, u, err, base+q)
			}
		}
		_ = st.Close()
	}
}

// TestReadRangeVersion: the blob endpoint reads exactly the version it
// described; a replaced blob is azfront.ErrVersionChanged.
func TestReadRangeVersion(t *testing.T) {
	ctx := t.Context()
	st, err := local.New(local.Config{Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = st.Close() }()
	if err := st.CreateContainer(ctx, "media"); err != nil {
		t.Fatal(err)
	}
	if err := st.Write(ctx, "media", "v.txt", strings.NewReader("old"), 3, ""); err != nil {
		t.Fatal(err)
	}
	old, err := st.StatObject(ctx, "media", "v.txt")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Write(ctx, "media", "v.txt", strings.NewReader("new!"), 4, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ReadRangeVersion(ctx, "media", "v.txt", old.ETag, 0, 3); !errors.Is(err, azfront.ErrVersionChanged) {
		t.Fatalf("read of a replaced version: %v; want ErrVersionChanged", err)
	}
	cur, err := st.StatObject(ctx, "media", "v.txt")
	if err != nil {
		t.Fatal(err)
	}
	rc, err := st.ReadRangeVersion(ctx, "media", "v.txt", cur.ETag, 1, -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	_ = rc.Close()
	if string(b) != "ew!" || len(cur.MD5) != 16 {
		t.Fatalf("current version: %q, md5 %x", b, cur.MD5)
	}
}
