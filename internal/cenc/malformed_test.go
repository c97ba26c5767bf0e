package cenc_test

import (
	"errors"
	"testing"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/lockstream/lockstream/internal/cenc"
	"github.com/lockstream/lockstream/internal/cmaf"
	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/test/mediatest"
)

// oneSample builds a one-sample fragment holding data, as media.Fragment
// would for a segment of that sample.
func oneSample(tb testing.TB, data []byte) *mp4.Fragment {
	tb.Helper()
	d := &media.SegmentData{
		Seg:     media.Segment{First: 0, End: 1, Dur: 1},
		Samples: []media.Sample{{Size: uint32(len(data)), Dur: 1, Sync: true}},
		Pos:     []int{0},
		Data:    data,
	}
	f, err := cmaf.Fragment(d, 1)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

func TestEncryptFragmentMalformed(t *testing.T) {
	p, _ := load(t, mediatest.Muxed(t))
	c, err := cenc.NewCipher(testKey)
	if err != nil {
		t.Fatal(err)
	}
	slice := append([]byte{0, 0, 0, 200, 0x65}, make([]byte, 199)...)
	for _, tc := range []struct {
		name string
		frag func() *mp4.Fragment
		want error
	}{
		{"nil", func() *mp4.Fragment { return nil }, media.ErrMalformed},
		{"NAL length past the sample", func() *mp4.Fragment {
			return oneSample(t, []byte{0, 0, 0, 100, 0x65, 1, 2, 3})
		}, media.ErrMalformed},
		{"truncated length field", func() *mp4.Fragment { return oneSample(t, []byte{0, 0, 0}) }, media.ErrMalformed},
		{"samples past the mdat", func() *mp4.Fragment {
			f := oneSample(t, append([]byte(nil), slice...))
			f.Mdat.Data = f.Mdat.Data[:100]
			return f
		}, media.ErrMalformed},
		{"two trafs", func() *mp4.Fragment {
			f, err := mp4.CreateMultiTrackFragment(1, []uint32{1, 2})
			if err != nil {
				t.Fatal(err)
			}
			return f
		}, media.ErrUnsupported},
		{"already encrypted", func() *mp4.Fragment {
			f := oneSample(t, append([]byte(nil), slice...))
			pr := protection(t, p.Video()[0], cenc.CENC)
			if err := cenc.NewEncryptor(pr, c).EncryptFragment(f, 0); err != nil {
				t.Fatal(err)
			}
			return f
		}, media.ErrMalformed},
	} {
		for _, scheme := range []cenc.Scheme{cenc.CENC, cenc.CBCS} {
			t.Run(tc.name+"/"+string(scheme), func(t *testing.T) {
				pr := protection(t, p.Video()[0], scheme)
				err := cenc.NewEncryptor(pr, c).EncryptFragment(tc.frag(), 0)
				if !errors.Is(err, tc.want) {
					t.Fatalf("got %v, want %v", err, tc.want)
				}
			})
		}
	}
}

func TestNewProtectionRejects(t *testing.T) {
	p, _ := load(t, mediatest.Muxed(t))
	init, err := cmaf.Init(p.Video()[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		init   []byte
		scheme cenc.Scheme
		want   error
	}{
		{"garbage", []byte("not an mp4 at all"), cenc.CENC, media.ErrMalformed},
		{"empty", nil, cenc.CENC, media.ErrMalformed},
		{"truncated", init[:len(init)/2], cenc.CENC, media.ErrMalformed},
		{"unknown scheme", init, "cens", media.ErrUnsupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := cenc.NewProtection(tc.init, cenc.Params{Scheme: tc.scheme, KID: testKID}); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// FuzzEncryptFragment feeds arbitrary sample bytes to the H.264 and H.265
// encryptors of both schemes: errors are fine, panics and hangs are not,
// and a sample that encrypts must encode. The seeds include real samples,
// so that mutations reach deep into the slice header parsers.
//
// testdata/fuzz/FuzzEncryptFragment/cdfbba834b232b46 is an H.265 slice
// whose num_entry_point_offsets decodes to billions: mp4ff's slice parser,
// used for cbcs at first, looped on it; cenc's own parser bounds every
// count.
func FuzzEncryptFragment(f *testing.F) {
	avcP, avcSrc := load(f, mediatest.Muxed(f))
	hevcP, hevcSrc := load(f, mediatest.HEVC(f))
	c, err := cenc.NewCipher(testKey)
	if err != nil {
		f.Fatal(err)
	}
	var prs []*cenc.Protection
	for i, tr := range []*media.Track{avcP.Video()[0], hevcP.Video()[0]} {
		for _, s := range []cenc.Scheme{cenc.CENC, cenc.CBCS} {
			prs = append(prs, protection(f, tr, s))
		}
		// The IDR and the smallest samples of the first segment.
		_, d, plain := segment(f, []media.Source{avcSrc, hevcSrc}[i], tr, 0)
		small := 0
		for j := range d.Samples {
			if len(plain[j]) < len(plain[small]) {
				small = j
			}
		}
		for _, j := range []int{0, small} {
			f.Add(byte(2*i), plain[j])
			f.Add(byte(2*i+1), plain[j])
		}
	}
	f.Add(byte(0), []byte{0, 0, 0, 5, 0x65, 0x88, 0x84, 0, 0x10})
	f.Add(byte(1), []byte{0, 0, 0, 5, 0x41, 0x9a, 0x00, 0x00, 0x03})
	f.Add(byte(2), []byte{0, 0, 0, 4, 0x26, 0x01, 0xaf, 0x10})
	f.Add(byte(3), []byte{0, 0, 0, 6, 0x02, 0x01, 0xd0, 0x00, 0x00, 0x03})
	f.Fuzz(func(t *testing.T, which byte, sample []byte) {
		pr := prs[int(which)%len(prs)]
		fr := oneSample(t, sample)
		if err := cenc.NewEncryptor(pr, c).EncryptFragment(fr, 0); err != nil {
			return
		}
		if _, err := cmaf.FragmentBytes(fr, true); err != nil {
			t.Fatalf("encrypted fragment does not encode: %v", err)
		}
	})
}
