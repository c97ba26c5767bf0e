package local_test

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/blob/local"
)

// TestMapRange: a mapped range holds the blob's bytes; a replaced blob is
// mapped afresh while a reader of the old version keeps reading the old
// bytes; deleting the blob, or its container, leaves held mappings
// readable; bad ranges and absent blobs are errors.
func TestMapRange(t *testing.T) {
	ctx := context.Background()
	st, err := local.New(local.Config{Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var _ blob.Mapper = st
	if err := st.CreateContainer(ctx, "ccc"); err != nil {
		t.Fatal(err)
	}
	put := func(name, content string) {
		t.Helper()
		if err := st.Write(ctx, "ccc", name, strings.NewReader(content), int64(len(content)), ""); err != nil {
			t.Fatal(err)
		}
	}
	put("a/v1.mp4", "0123456789")
	b, release, err := st.MapRange(ctx, "ccc", "a/v1.mp4", 2, 5)
	if err != nil || string(b) != "23456" {
		t.Fatalf("MapRange = %q, %v; want 23456", b, err)
	}
	if cap(b) != len(b) {
		t.Errorf("mapped range has capacity %d past its %d bytes: an append would write the file", cap(b), len(b))
	}
	whole, releaseWhole, err := st.MapRange(ctx, "ccc", "a/v1.mp4", 0, -1)
	if err != nil || string(whole) != "0123456789" {
		t.Fatalf("MapRange(0, -1) = %q, %v", whole, err)
	}
	put("a/v1.mp4", "abcdefghijklmnop")
	nb, nrelease, err := st.MapRange(ctx, "ccc", "a/v1.mp4", 10, -1)
	if err != nil || string(nb) != "klmnop" {
		t.Fatalf("after replace: MapRange = %q, %v; want klmnop", nb, err)
	}
	if string(b) != "23456" || string(whole) != "0123456789" {
		t.Fatalf("old version's mapping changed under its reader: %q %q", b, whole)
	}
	release()
	release() // twice is harmless
	if string(whole) != "0123456789" {
		t.Fatalf("mapping released while another reader holds it: %q", whole)
	}
	releaseWhole()
	if err := st.Delete(ctx, "ccc", "a/v1.mp4"); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(nb, []byte("klmnop")) {
		t.Fatalf("deleted blob's mapping changed under its reader: %q", nb)
	}
	nrelease()
	if _, _, err := st.MapRange(ctx, "ccc", "a/v1.mp4", 0, -1); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("deleted blob: %v, want ErrNotFound", err)
	}
	put("b.mp4", "xyz")
	if _, _, err := st.MapRange(ctx, "ccc", "b.mp4", 4, 1); !errors.Is(err, blob.ErrRange) {
		t.Fatalf("offset past the end: %v, want ErrRange", err)
	}
	if b, rel, err := st.MapRange(ctx, "ccc", "b.mp4", 1, 100); err != nil || string(b) != "yz" {
		t.Fatalf("range past the end: %q, %v; want it cut at the end", b, err)
	} else {
		if err := st.DeleteContainer(ctx, "ccc"); err != nil {
			t.Fatal(err)
		}
		if string(b) != "yz" {
			t.Fatalf("deleted container's mapping changed under its reader: %q", b)
		}
		rel()
	}
	if err := st.CreateContainer(ctx, "eee"); err != nil {
		t.Fatal(err)
	}
	if err := st.Write(ctx, "eee", "empty", strings.NewReader(""), 0, ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.MapRange(ctx, "eee", "empty", 0, -1); !errors.Is(err, blob.ErrNotMapped) {
		t.Fatalf("empty file: %v, want ErrNotMapped (read it instead)", err)
	}
	if _, _, err := st.MapRange(ctx, "eee", "../x", 0, -1); !errors.Is(err, blob.ErrInvalidName) {
		t.Fatalf("bad name: %v, want ErrInvalidName", err)
	}
}

// TestMapRangeEvicts: more files than the cache keeps stay readable while
// held, and each maps its own bytes.
func TestMapRangeEvicts(t *testing.T) {
	ctx := context.Background()
	st, err := local.New(local.Config{Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.CreateContainer(ctx, "ccc"); err != nil {
		t.Fatal(err)
	}
	const files = 300 // beyond the cache's 256
	held := make([][]byte, files)
	for i := range files {
		name := "f" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + "-" + itoa(i)
		content := "content of " + name
		if err := st.Write(ctx, "ccc", name, strings.NewReader(content), int64(len(content)), ""); err != nil {
			t.Fatal(err)
		}
		b, release, err := st.MapRange(ctx, "ccc", name, 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer release()
		if string(b) != content {
			t.Fatalf("file %d maps %q", i, b)
		}
		held[i] = b
	}
	for i, b := range held {
		if !strings.HasPrefix(string(b), "content of f") || !strings.HasSuffix(string(b), "-"+itoa(i)) {
			t.Fatalf("held mapping %d changed: %q", i, b)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
