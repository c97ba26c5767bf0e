package blobtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/blob"
)

// Run runs the conformance suite. newStore is called once per subtest and
// must return a ready store whose SignedContainerURL is reachable from the
// test process (for the local backend: backed by a running handler).
func Run(t *testing.T, newStore func(t *testing.T) blob.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s blob.Store)
	}{
		{"Containers", testContainers},
		{"WriteStat", testWriteStat},
		{"List", testList},
		{"ReadRange", testReadRange},
		{"Overwrite", testOverwrite},
		{"FailedWriteKeepsOld", testFailedWrite},
		{"Delete", testDelete},
		{"NotFound", testNotFound},
		{"InvalidNames", testInvalidNames},
		{"SDKRoundTrip", testSDKRoundTrip},
		{"SDKBlockList", testSDKBlockList},
		{"SDKPermissions", testSDKPermissions},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newStore(t))
		})
	}
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// newContainer creates a uniquely named container and deletes it when the
// test ends, so backends sharing one account (Azurite) do not interfere.
func newContainer(t *testing.T, s blob.Store) string {
	t.Helper()
	var b [5]byte
	_, _ = rand.Read(b[:])
	c := "bt-" + hex.EncodeToString(b[:])
	if err := s.CreateContainer(ctxFor(t), c); err != nil {
		t.Fatalf("CreateContainer(%q): %v", c, err)
	}
	t.Cleanup(func() {
		if err := s.DeleteContainer(context.Background(), c); err != nil {
			t.Errorf("cleanup DeleteContainer(%q): %v", c, err)
		}
	})
	return c
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func write(t *testing.T, s blob.Store, c, name string, data []byte, ct string) {
	t.Helper()
	if err := s.Write(ctxFor(t), c, name, bytes.NewReader(data), int64(len(data)), ct); err != nil {
		t.Fatalf("Write(%q): %v", name, err)
	}
}

func readRange(t *testing.T, s blob.Store, c, name string, off, n int64) ([]byte, error) {
	t.Helper()
	rc, err := s.ReadRange(ctxFor(t), c, name, off, n)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rc.Close() }()
	return io.ReadAll(rc)
}

func mustRead(t *testing.T, s blob.Store, c, name string) []byte {
	t.Helper()
	b, err := readRange(t, s, c, name, 0, -1)
	if err != nil {
		t.Fatalf("ReadRange(%q): %v", name, err)
	}
	return b
}

func testContainers(t *testing.T, s blob.Store) {
	ctx := ctxFor(t)
	c := newContainer(t, s)
	if err := s.CreateContainer(ctx, c); err != nil {
		t.Fatalf("second CreateContainer: %v (must be idempotent)", err)
	}
	write(t, s, c, "x/y.txt", []byte("hello"), "text/plain")
	if err := s.DeleteContainer(ctx, c); err != nil {
		t.Fatalf("DeleteContainer: %v", err)
	}
	if err := s.DeleteContainer(ctx, c); err != nil {
		t.Fatalf("second DeleteContainer: %v (must be idempotent)", err)
	}
	if _, err := s.Stat(ctx, c, "x/y.txt"); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Stat after DeleteContainer: got %v, want ErrNotFound", err)
	}
	if _, err := s.List(ctx, c, ""); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("List of deleted container: got %v, want ErrNotFound", err)
	}
	// Re-creating gives an empty container.
	if err := s.CreateContainer(ctx, c); err != nil {
		t.Fatalf("CreateContainer after delete: %v", err)
	}
	if l, err := s.List(ctx, c, ""); err != nil || len(l) != 0 {
		t.Fatalf("List of re-created container: %v, %v; want empty", l, err)
	}
}

func testWriteStat(t *testing.T, s blob.Store) {
	ctx := ctxFor(t)
	c := newContainer(t, s)
	data := randomBytes(t, 12345)
	before := time.Now().Add(-time.Minute)
	write(t, s, c, "videos/clip 1/video.mp4", data, "video/mp4")
	info, err := s.Stat(ctx, c, "videos/clip 1/video.mp4")
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	if info.Name != "videos/clip 1/video.mp4" || info.Size != int64(len(data)) || info.ContentType != "video/mp4" {
		t.Errorf("Stat = %+v; want name, size %d, video/mp4", info, len(data))
	}
	if info.ETag == "" {
		t.Error("Stat: empty ETag")
	}
	if info.Modified.Before(before) || info.Modified.After(time.Now().Add(time.Minute)) {
		t.Errorf("Stat: Modified %v is not about now", info.Modified)
	}
	if got := mustRead(t, s, c, "videos/clip 1/video.mp4"); !bytes.Equal(got, data) {
		t.Error("read back differs from written content")
	}

	// Unknown size and no content type.
	if err = s.Write(ctx, c, "raw", bytes.NewReader([]byte("abc")), -1, ""); err != nil {
		t.Fatalf("Write size -1: %v", err)
	}
	info, err = s.Stat(ctx, c, "raw")
	if err != nil || info.Size != 3 || info.ContentType != "application/octet-stream" {
		t.Errorf("Stat(raw) = %+v, %v; want size 3, application/octet-stream", info, err)
	}

	// Empty blob.
	write(t, s, c, "empty", nil, "text/plain")
	if got := mustRead(t, s, c, "empty"); len(got) != 0 {
		t.Errorf("empty blob read %d bytes", len(got))
	}

	// Unicode and URL-special characters survive.
	odd := "ünï/cödé %2F?#&+=;,@.txt"
	write(t, s, c, odd, []byte("odd"), "text/plain")
	if got := mustRead(t, s, c, odd); string(got) != "odd" {
		t.Errorf("odd name read %q", got)
	}
}

func testList(t *testing.T, s blob.Store) {
	ctx := ctxFor(t)
	c := newContainer(t, s)
	names := []string{"b", "a/2", "a-c", "a/1", "ab", "a/sub/x"}
	for _, n := range names {
		write(t, s, c, n, []byte(n), "text/plain")
	}
	cases := map[string][]string{
		"":     {"a-c", "a/1", "a/2", "a/sub/x", "ab", "b"},
		"a/":   {"a/1", "a/2", "a/sub/x"},
		"a":    {"a-c", "a/1", "a/2", "a/sub/x", "ab"},
		"a/s":  {"a/sub/x"},
		"a/su": {"a/sub/x"},
		"zzz":  {},
		"b/":   {},
	}
	for prefix, want := range cases {
		got, err := s.List(ctx, c, prefix)
		if err != nil {
			t.Fatalf("List(%q): %v", prefix, err)
		}
		var gotNames []string
		for _, i := range got {
			gotNames = append(gotNames, i.Name)
			if i.Size != int64(len(i.Name)) || i.ETag == "" || i.ContentType != "text/plain" {
				t.Errorf("List(%q) entry %+v: wrong size, ETag or content type", prefix, i)
			}
		}
		if strings.Join(gotNames, ",") != strings.Join(want, ",") {
			t.Errorf("List(%q) = %q; want %q", prefix, gotNames, want)
		}
	}
}

func testReadRange(t *testing.T, s blob.Store) {
	c := newContainer(t, s)
	data := randomBytes(t, 1000)
	write(t, s, c, "r.bin", data, "")
	cases := []struct {
		off, n int64
		want   []byte
	}{
		{0, 10, data[:10]},
		{500, 100, data[500:600]},
		{900, -1, data[900:]},
		{0, -1, data},
		{990, 100, data[990:]}, // past the end: truncated
		{0, 0, nil},
		{1000, 10, nil}, // at the end: empty, not an error
	}
	for _, tc := range cases {
		got, err := readRange(t, s, c, "r.bin", tc.off, tc.n)
		if err != nil {
			t.Errorf("ReadRange(%d, %d): %v", tc.off, tc.n, err)
			continue
		}
		if !bytes.Equal(got, tc.want) {
			t.Errorf("ReadRange(%d, %d) = %d bytes; want %d", tc.off, tc.n, len(got), len(tc.want))
		}
	}
	if _, err := readRange(t, s, c, "r.bin", 1001, 1); !errors.Is(err, blob.ErrRange) {
		t.Errorf("ReadRange beyond the end: got %v, want ErrRange", err)
	}
	if _, err := readRange(t, s, c, "r.bin", 5000, -1); !errors.Is(err, blob.ErrRange) {
		t.Errorf("ReadRange far beyond the end: got %v, want ErrRange", err)
	}
}

// testOverwrite races readers against writers alternating two contents of
// different sizes: every read must return exactly one of them.
func testOverwrite(t *testing.T, s blob.Store) {
	c := newContainer(t, s)
	a := bytes.Repeat([]byte("a"), 256<<10)
	b := bytes.Repeat([]byte("b"), 384<<10)
	write(t, s, c, "atomic.bin", a, "")
	ctx := ctxFor(t)
	done := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				got, err := readRange(t, s, c, "atomic.bin", 0, -1)
				if err != nil {
					errs <- fmt.Errorf("read during overwrite: %w", err)
					return
				}
				if !bytes.Equal(got, a) && !bytes.Equal(got, b) {
					errs <- fmt.Errorf("read a torn blob of %d bytes", len(got))
					return
				}
			}
		})
	}
	for i := range 10 {
		data := a
		if i%2 == 0 {
			data = b
		}
		if err := s.Write(ctx, c, "atomic.bin", bytes.NewReader(data), int64(len(data)), ""); err != nil {
			t.Errorf("overwrite %d: %v", i, err)
		}
	}
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := mustRead(t, s, c, "atomic.bin"); !bytes.Equal(got, a) {
		t.Error("final content is not the last write")
	}
}

// failingReader returns some data and then an error, like a client that
// disconnects mid-upload.
type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("blobtest: simulated upload failure")
	}
	k := min(len(p), f.n)
	for i := range k {
		p[i] = 'x'
	}
	f.n -= k
	return k, nil
}

func testFailedWrite(t *testing.T, s blob.Store) {
	ctx := ctxFor(t)
	c := newContainer(t, s)
	old := []byte("old content")
	write(t, s, c, "keep.txt", old, "text/plain")
	check := func(what string) {
		t.Helper()
		if got := mustRead(t, s, c, "keep.txt"); !bytes.Equal(got, old) {
			t.Errorf("after %s the blob holds %q; want the old content", what, got)
		}
	}
	if err := s.Write(ctx, c, "keep.txt", &failingReader{n: 3 << 20}, -1, ""); err == nil {
		t.Error("Write from a failing reader succeeded")
	}
	check("a failed write")
	if err := s.Write(ctx, c, "keep.txt", strings.NewReader("short"), 10, ""); err == nil {
		t.Error("Write with fewer bytes than size succeeded")
	}
	check("a short write")
	if err := s.Write(ctx, c, "keep.txt", strings.NewReader("far too long"), 3, ""); err == nil {
		t.Error("Write with more bytes than size succeeded")
	}
	check("a long write")
	if err := s.Write(ctx, c, "new.txt", &failingReader{n: 100}, -1, ""); err == nil {
		t.Error("Write of a new blob from a failing reader succeeded")
	}
	if _, err := s.Stat(ctx, c, "new.txt"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("a failed first write left a blob behind: Stat = %v", err)
	}
	l, err := s.List(ctx, c, "")
	if err != nil || len(l) != 1 {
		t.Errorf("List after failed writes = %v, %v; want only keep.txt", l, err)
	}
}

func testDelete(t *testing.T, s blob.Store) {
	ctx := ctxFor(t)
	c := newContainer(t, s)
	write(t, s, c, "d/x", []byte("x"), "")
	write(t, s, c, "d/y", []byte("y"), "")
	if err := s.Delete(ctx, c, "d/x"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := s.Stat(ctx, c, "d/x"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Stat after Delete: %v; want ErrNotFound", err)
	}
	if err := s.Delete(ctx, c, "d/x"); err != nil {
		t.Errorf("second Delete: %v (absent is not an error)", err)
	}
	if l, err := s.List(ctx, c, ""); err != nil || len(l) != 1 || l[0].Name != "d/y" {
		t.Errorf("List after Delete = %v, %v; want d/y", l, err)
	}
	// Deleting the last blob under a prefix frees the prefix as a name.
	if err := s.Delete(ctx, c, "d/y"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	write(t, s, c, "d", []byte("now a blob"), "")
}

func testNotFound(t *testing.T, s blob.Store) {
	ctx := ctxFor(t)
	c := newContainer(t, s)
	if _, err := s.Stat(ctx, c, "missing"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Stat missing: %v", err)
	}
	if _, err := s.ReadRange(ctx, c, "missing", 0, -1); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("ReadRange missing: %v", err)
	}
	if _, err := s.Stat(ctx, "bt-no-such-container", "x"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Stat in missing container: %v", err)
	}
	if err := s.Write(ctx, "bt-no-such-container", "x", strings.NewReader("x"), 1, ""); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Write to missing container: %v; want ErrNotFound", err)
	}
	if err := s.Delete(ctx, "bt-no-such-container", "x"); err != nil {
		t.Errorf("Delete in missing container: %v; want nil", err)
	}
	if l, err := s.List(ctx, c, ""); err != nil || len(l) != 0 {
		t.Errorf("List empty container = %v, %v", l, err)
	}
}

func testInvalidNames(t *testing.T, s blob.Store) {
	ctx := ctxFor(t)
	c := newContainer(t, s)
	badNames := []string{
		"", "/abs", "trailing/", "a//b", "..", "../escape", "a/../../b", "./a", "a/./b", "a/.",
		`back\slash`, "nul\x00byte", "ctl\x01", strings.Repeat("n", 1025),
	}
	for _, n := range badNames {
		if err := s.Write(ctx, c, n, strings.NewReader("x"), 1, ""); !errors.Is(err, blob.ErrInvalidName) {
			t.Errorf("Write(%q): %v; want ErrInvalidName", n, err)
		}
		if _, err := s.Stat(ctx, c, n); !errors.Is(err, blob.ErrInvalidName) {
			t.Errorf("Stat(%q): %v; want ErrInvalidName", n, err)
		}
		if _, err := s.ReadRange(ctx, c, n, 0, -1); !errors.Is(err, blob.ErrInvalidName) {
			t.Errorf("ReadRange(%q): %v; want ErrInvalidName", n, err)
		}
		if err := s.Delete(ctx, c, n); !errors.Is(err, blob.ErrInvalidName) {
			t.Errorf("Delete(%q): %v; want ErrInvalidName", n, err)
		}
	}
	badContainers := []string{"", "ab", "UPPER", "a--b", "-ab", "ab-", "a_b", "a.b", "../x", ".lockstream", strings.Repeat("c", 64)}
	for _, bc := range badContainers {
		if err := s.CreateContainer(ctx, bc); !errors.Is(err, blob.ErrInvalidName) {
			t.Errorf("CreateContainer(%q): %v; want ErrInvalidName", bc, err)
		}
		if _, err := s.Stat(ctx, bc, "x"); !errors.Is(err, blob.ErrInvalidName) {
			t.Errorf("Stat in container %q: %v; want ErrInvalidName", bc, err)
		}
		if _, err := s.SignedContainerURL(ctx, bc, blob.PermRead, time.Now().Add(time.Hour)); !errors.Is(err, blob.ErrInvalidName) {
			t.Errorf("SignedContainerURL(%q): %v; want ErrInvalidName", bc, err)
		}
	}
	// Nothing was created by the attempts.
	if l, err := s.List(ctx, c, ""); err != nil || len(l) != 0 {
		t.Errorf("List after invalid writes = %v, %v; want empty", l, err)
	}
}
