package cenc_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/lockstream/lockstream/internal/cenc"
	"github.com/lockstream/lockstream/internal/cmaf"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/test/mediatest"
)

// Test key and KID (packaging.md §6.1).
var (
	testKey = mustKey("76a6c65c5ea762046bd749a2e632ccbb")
	testKID = mustKID("a7e61c37-3e21-9033-c210-91fa607bf3b8")
)

func mustKey(h string) keys.Key {
	b, err := hex.DecodeString(h)
	if err != nil || len(b) != 16 {
		panic("bad test key")
	}
	return keys.Key(b)
}

func mustKID(h string) keys.KID {
	id, err := keys.ParseKID(h)
	if err != nil {
		panic(err)
	}
	return id
}

// load parses the MP4 files of a generated set (2 s segments).
func load(tb testing.TB, set *mediatest.Set) (*media.Presentation, *mediatest.DirSource) {
	tb.Helper()
	src := mediatest.NewDirSource(set.Dir)
	var refs []media.Ref
	for _, f := range set.Files {
		if strings.HasSuffix(f.Name, ".mp4") {
			refs = append(refs, media.Ref{File: f.Name, Size: f.Size})
		}
	}
	p, err := media.Load(context.Background(), src, refs, media.Options{TargetDuration: 2 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	return p, src
}

// segment reads segment k of t and returns its fragment and a copy of the
// clear sample bytes.
func segment(tb testing.TB, src media.Source, t *media.Track, k int) (*mp4.Fragment, *media.SegmentData, [][]byte) {
	tb.Helper()
	d, err := media.ReadSegment(context.Background(), src, t, k)
	if err != nil {
		tb.Fatal(err)
	}
	plain := make([][]byte, len(d.Samples))
	for i := range d.Samples {
		plain[i] = bytes.Clone(d.SampleBytes(i))
	}
	f, err := cmaf.Fragment(d, uint32(k+1))
	if err != nil {
		tb.Fatal(err)
	}
	return f, d, plain
}

// protection builds the protection of t.
func protection(tb testing.TB, t *media.Track, scheme cenc.Scheme) *cenc.Protection {
	tb.Helper()
	init, err := cmaf.Init(t)
	if err != nil {
		tb.Fatal(err)
	}
	p, err := cenc.NewProtection(init, cenc.Params{
		Scheme: scheme, KID: testKID, ConstantIV: cenc.DeriveConstantIV(testKID),
		Stream: cenc.StreamID{Asset: "asset", File: t.Source, TrackID: t.SourceID},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// encryptSegment returns encrypted segment k of t (styp + moof + mdat).
func encryptSegment(tb testing.TB, src media.Source, t *media.Track, k int, p *cenc.Protection, c *cenc.Cipher) ([]byte, [][]byte) {
	tb.Helper()
	f, d, plain := segment(tb, src, t, k)
	if err := cenc.NewEncryptor(p, c).EncryptFragment(f, uint64(d.Seg.First)); err != nil {
		tb.Fatalf("segment %d: %v", k, err)
	}
	b, err := cmaf.FragmentBytes(f, true)
	if err != nil {
		tb.Fatal(err)
	}
	return b, plain
}

// decodeSegment decodes one media segment (styp + moof + mdat).
func decodeSegment(tb testing.TB, b []byte) *mp4.MediaSegment {
	tb.Helper()
	f, err := mp4.DecodeFile(bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	if len(f.Segments) != 1 || len(f.Segments[0].Fragments) != 1 {
		tb.Fatalf("want one segment with one fragment, got %d segments", len(f.Segments))
	}
	return f.Segments[0]
}

// samples returns the sample bytes of a decoded one-fragment segment.
func samples(tb testing.TB, seg *mp4.MediaSegment, trex *mp4.TrexBox) [][]byte {
	tb.Helper()
	fs, err := seg.Fragments[0].GetFullSamples(trex)
	if err != nil {
		tb.Fatal(err)
	}
	out := make([][]byte, len(fs))
	for i, s := range fs {
		out[i] = s.Data
	}
	return out
}

func decodeInit(tb testing.TB, b []byte) *mp4.InitSegment {
	tb.Helper()
	f, err := mp4.DecodeFile(bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	if f.Init == nil {
		tb.Fatal("no init segment")
	}
	return f.Init
}
