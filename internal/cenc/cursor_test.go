package cenc_test

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/lockstream/lockstream/internal/cenc"
)

// TestCursorAndEncryptToMatchEncrypt: every sample of every segment of
// H.264, H.265 and AAC tracks, cenc and cbcs, encrypted in place
// (Encrypt), from a read-only source (EncryptTo) and in pieces of random
// sizes, 1 byte up to beyond the sample (Cursor), gives the same bytes;
// the source is never written.
func TestCursorAndEncryptToMatchEncrypt(t *testing.T) {
	c, err := cenc.NewCipher(testKey)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range tracks(t) {
		for _, scheme := range []cenc.Scheme{cenc.CENC, cenc.CBCS} {
			t.Run(tc.name+"/"+string(scheme), func(t *testing.T) {
				p := protection(t, tc.track, scheme)
				samples, pieces := 0, 0
				for k := range tc.track.Segments {
					f, d, plain := segment(t, tc.src, tc.track, k)
					pl, err := cenc.NewEncryptor(p, c).Plan(f, uint64(d.Seg.First))
					if err != nil {
						t.Fatal(err)
					}
					for i, s := range plain {
						if err := pl.AddSample(i, s); err != nil {
							t.Fatal(err)
						}
					}
					if err := pl.Finish(); err != nil {
						t.Fatal(err)
					}
					for i, s := range plain {
						src := bytes.Clone(s)
						want := bytes.Clone(s)
						pl.Encrypt(i, want)
						got := make([]byte, len(s))
						pl.EncryptTo(i, got, src)
						if !bytes.Equal(got, want) {
							t.Fatalf("segment %d sample %d: EncryptTo differs from Encrypt", k, i)
						}
						// Pieces: mostly small (cut inside blocks and
						// subsamples), sometimes larger than the sample.
						cur := pl.Cursor(i)
						got = make([]byte, len(s))
						for at := 0; at < len(s); {
							n := 1 + rng.IntN(64)
							if rng.IntN(4) == 0 {
								n = 16 + rng.IntN(len(s)+32)
							}
							end := min(at+n, len(s))
							m := cur.Next(got[at:], src[at:end])
							if m == 0 && end-at >= 16 {
								t.Fatalf("segment %d sample %d: no progress at %d with %d bytes offered", k, i, at, end-at)
							}
							at += m
							pieces++
						}
						if !bytes.Equal(got, want) {
							t.Fatalf("segment %d sample %d (%d bytes): pieces differ from Encrypt", k, i, len(s))
						}
						if !bytes.Equal(src, s) {
							t.Fatalf("segment %d sample %d: source written", k, i)
						}
						samples++
					}
				}
				t.Logf("%d samples in %d pieces", samples, pieces)
			})
		}
	}
}
