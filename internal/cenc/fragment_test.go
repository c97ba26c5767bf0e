package cenc_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"strconv"
	"testing"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/lockstream/lockstream/internal/cenc"
	"github.com/lockstream/lockstream/internal/cmaf"
	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager"
	"github.com/lockstream/lockstream/internal/packager/smooth"
	"github.com/lockstream/lockstream/internal/test/mediatest"
)

// tracks returns the tracks the scheme tests cover: H.264 High 720p and
// AAC from the ladder, H.265 from the HEVC set.
func tracks(t *testing.T) []struct {
	name  string
	track *media.Track
	src   media.Source
} {
	ladder, lsrc := load(t, mediatest.Ladder(t))
	hevc, hsrc := load(t, mediatest.HEVC(t))
	out := []struct {
		name  string
		track *media.Track
		src   media.Source
	}{
		{"h264", ladder.Video()[0], lsrc},
		{"h265", hevc.Video()[0], hsrc},
		{"aac", ladder.Audio()[0], lsrc},
	}
	if out[1].track.FourCC != "hvc1" || out[0].track.FourCC != "avc1" {
		t.Fatalf("unexpected codecs %s %s", out[0].track.FourCC, out[1].track.FourCC)
	}
	return out
}

// TestEncryptFragmentDecrypts encrypts every segment of H.264, H.265 and
// AAC tracks with cenc and cbcs, decrypts them with mp4ff's independent
// decryptor (DecryptInit + DecryptSegment) and compares every sample with
// the clear one byte for byte.
func TestEncryptFragmentDecrypts(t *testing.T) {
	c, err := cenc.NewCipher(testKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tracks(t) {
		for _, scheme := range []cenc.Scheme{cenc.CENC, cenc.CBCS} {
			t.Run(tc.name+"/"+string(scheme), func(t *testing.T) {
				before, err := cmaf.Init(tc.track)
				if err != nil {
					t.Fatal(err)
				}
				entry := tc.track.Entry.Type()
				p := protection(t, tc.track, scheme)
				// The shared sample entry is untouched.
				after, _ := cmaf.Init(tc.track)
				if !bytes.Equal(before, after) || tc.track.Entry.Type() != entry {
					t.Fatal("NewProtection modified the track's sample entry")
				}
				init := decodeInit(t, p.Init())
				trex := init.Moov.Mvex.Trex
				di, err := mp4.DecryptInit(init)
				if err != nil {
					t.Fatal(err)
				}
				var total, differ, big, bigDiffer int
				for k := range tc.track.Segments {
					enc, plain := encryptSegment(t, tc.src, tc.track, k, p, c)
					again, _ := encryptSegment(t, tc.src, tc.track, k, p, c)
					if !bytes.Equal(enc, again) {
						t.Fatalf("segment %d: two encryptions differ", k)
					}
					seg := decodeSegment(t, enc)
					got := samples(t, seg, trex)
					if len(got) != len(plain) {
						t.Fatalf("segment %d: %d samples, want %d", k, len(got), len(plain))
					}
					for i := range got {
						total++
						if !bytes.Equal(got[i], plain[i]) {
							differ++
						}
						if len(plain[i]) >= 1024 {
							big++
							if !bytes.Equal(got[i], plain[i]) {
								bigDiffer++
							}
						}
					}
					if err := mp4.DecryptSegment(seg, di, testKey[:]); err != nil {
						t.Fatalf("segment %d: decrypt: %v", k, err)
					}
					for i, s := range samples(t, seg, trex) {
						if !bytes.Equal(s, plain[i]) {
							t.Fatalf("segment %d sample %d: decrypted bytes differ from the clear sample", k, i)
						}
					}
				}
				// Audio frames are encrypted whole; every large video
				// sample has a protected slice.
				if tc.track.Kind == media.Audio && differ != total {
					t.Errorf("%d of %d audio samples encrypted", differ, total)
				}
				if tc.track.Kind == media.Video && (big == 0 || bigDiffer != big) {
					t.Errorf("%d of %d samples over 1 KiB encrypted", bigDiffer, big)
				}
				t.Logf("%d samples, %d encrypted", total, differ)
			})
		}
	}
}

// sencIVs returns the per-sample IVs of an encrypted segment.
func sencIVs(t *testing.T, b []byte) [][]byte {
	t.Helper()
	seg := decodeSegment(t, b)
	f := seg.Fragments[0]
	traf := f.Moof.Traf
	if traf.Saiz == nil || traf.Saio == nil || traf.Senc == nil {
		t.Fatal("fragment without saiz, saio and senc")
	}
	if traf.Senc.ReadButNotParsed() {
		if err := traf.ParseReadSenc(8, f.Moof.StartPos); err != nil {
			t.Fatal(err)
		}
	}
	// saio points at the first IV: check it against the encoded bytes.
	off := int(f.Moof.StartPos) + int(traf.Saio.Offset[0])
	if !bytes.Equal(b[off:off+8], traf.Senc.IVs[0]) {
		t.Fatalf("saio offset %d does not point at the first IV", traf.Saio.Offset[0])
	}
	out := make([][]byte, len(traf.Senc.IVs))
	for i, iv := range traf.Senc.IVs {
		out[i] = bytes.Clone(iv)
	}
	return out
}

// TestCENCIVsUnique encrypts every segment of three tracks sharing one
// key (two video renditions and an audio track) and checks that no IV
// repeats across segments or tracks, that IVs are 8 bytes, and that a
// track's IVs follow its sample indices.
func TestCENCIVsUnique(t *testing.T) {
	p, src := load(t, mediatest.Ladder(t))
	c, err := cenc.NewCipher(testKey)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, tr := range []*media.Track{p.Video()[0], p.Video()[1], p.Audio()[0]} {
		pr := protection(t, tr, cenc.CENC)
		var prev uint64
		n := 0
		for k := range tr.Segments {
			b, _ := encryptSegment(t, src, tr, k, pr, c)
			for i, iv := range sencIVs(t, b) {
				if len(iv) != 8 {
					t.Fatalf("IV of %d bytes", len(iv))
				}
				where := tr.Source + " segment " + itoa(k) + " sample " + itoa(i)
				if other, dup := seen[string(iv)]; dup {
					t.Fatalf("IV %x of %s repeats %s", iv, where, other)
				}
				seen[string(iv)] = where
				v := binary.BigEndian.Uint64(iv)
				if n > 0 && v != prev+1 {
					t.Fatalf("%s: IV %x does not follow %x", where, v, prev)
				}
				prev = v
				n++
			}
		}
		if n != len(tr.Samples) {
			t.Fatalf("%s: %d IVs for %d samples", tr.Source, n, len(tr.Samples))
		}
	}
}

func itoa(v int) string { return strconv.Itoa(v) }

// TestMatchesMP4ff: given the same IV, the encrypted segments are byte for
// byte those of mp4ff's own encryptor (InitProtect + FragmentEncryptor),
// for both schemes and all three codecs: the subsample layout, the boxes
// and the ciphertext agree with an independent implementation.
func TestMatchesMP4ff(t *testing.T) {
	c, err := cenc.NewCipher(testKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tracks(t) {
		for _, scheme := range []cenc.Scheme{cenc.CENC, cenc.CBCS} {
			t.Run(tc.name+"/"+string(scheme), func(t *testing.T) {
				p := protection(t, tc.track, scheme)
				init, err := cmaf.Init(tc.track)
				if err != nil {
					t.Fatal(err)
				}
				civ := cenc.DeriveConstantIV(testKID)
				iv := make([]byte, 8)
				if scheme == cenc.CBCS {
					iv = civ[:]
				}
				minit := decodeInit(t, init)
				ipd, err := mp4.InitProtect(minit, nil, iv, string(scheme), mp4.UUID(testKID[:]), nil)
				if err != nil {
					t.Fatal(err)
				}
				var want bytes.Buffer
				if err := minit.Encode(&want); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(want.Bytes(), p.Init()) {
					t.Error("init segment differs from mp4ff's")
				}
				for k := range tc.track.Segments {
					got, _ := encryptSegment(t, tc.src, tc.track, k, p, c)
					if scheme == cenc.CENC {
						iv = sencIVs(t, got)[0]
					}
					f, _, _ := segment(t, tc.src, tc.track, k)
					e, err := ipd.NewFragmentEncryptor(testKey[:], iv)
					if err != nil {
						t.Fatal(err)
					}
					if err := e.EncryptFragment(f); err != nil {
						t.Fatal(err)
					}
					want, err := cmaf.FragmentBytes(f, true)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got, want) {
						t.Fatalf("segment %d differs from mp4ff's encryption", k)
					}
				}
			})
		}
	}
}

// TestEncryptSmoothFragment encrypts Smooth fragments, whose traf carries
// a tfxd box before the encryption boxes (saio must count it), and
// decrypts them with mp4ff.
func TestEncryptSmoothFragment(t *testing.T) {
	p, src := load(t, mediatest.Ladder(t))
	c, err := cenc.NewCipher(testKey)
	if err != nil {
		t.Fatal(err)
	}
	v := packager.Full(p, ",format=ism")
	for _, tr := range []*media.Track{p.Video()[0], p.Audio()[0]} {
		pr := protection(t, tr, cenc.CENC)
		init := decodeInit(t, pr.Init())
		trex := init.Moov.Mvex.Trex
		di, err := mp4.DecryptInit(init)
		if err != nil {
			t.Fatal(err)
		}
		for k := range tr.Segments {
			f, err := smooth.MediaFragment(context.Background(), src, v, tr, k)
			if err != nil {
				t.Fatal(err)
			}
			d, err := media.ReadSegment(context.Background(), src, tr, k)
			if err != nil {
				t.Fatal(err)
			}
			if err := cenc.NewEncryptor(pr, c).EncryptFragment(f, uint64(d.Seg.First)); err != nil {
				t.Fatal(err)
			}
			b, err := cmaf.FragmentBytes(f, false)
			if err != nil {
				t.Fatal(err)
			}
			dec, err := mp4.DecodeFile(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			seg := dec.Segments[0]
			if traf := seg.Fragments[0].Moof.Traf; traf.Saio == nil {
				t.Fatal("no saio")
			}
			if err := mp4.DecryptSegment(seg, di, testKey[:]); err != nil {
				t.Fatal(err)
			}
			for i, s := range samples(t, seg, trex) {
				if !bytes.Equal(s, d.SampleBytes(i)) {
					t.Fatalf("%s fragment %d sample %d differs after decryption", tr.Name, k, i)
				}
			}
		}
	}
}

// TestSharedProtection: one Protection and one Cipher serve concurrent
// requests (run with -race), each with its own Encryptor, and every
// request gets the same bytes.
func TestSharedProtection(t *testing.T) {
	p, src := load(t, mediatest.Muxed(t))
	tr := p.Video()[0]
	c, err := cenc.NewCipher(testKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, scheme := range []cenc.Scheme{cenc.CENC, cenc.CBCS} {
		pr := protection(t, tr, scheme)
		want, _ := encryptSegment(t, src, tr, 1, pr, c)
		frags := make([]*mp4.Fragment, 8)
		first := uint64(0)
		for i := range frags {
			f, d, _ := segment(t, src, tr, 1)
			frags[i], first = f, uint64(d.Seg.First)
		}
		errs := make(chan error, len(frags))
		for _, f := range frags {
			go func() {
				if err := cenc.NewEncryptor(pr, c).EncryptFragment(f, first); err != nil {
					errs <- err
					return
				}
				got, err := cmaf.FragmentBytes(f, true)
				if err == nil && !bytes.Equal(got, want) {
					err = errors.New("concurrent encryption gave other bytes")
				}
				errs <- err
			}()
		}
		for range 8 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
	}
}
