package cenc

import (
	"crypto/cipher"
	"encoding/binary"
	"fmt"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/lockstream/lockstream/internal/media"
)

// Encryptor encrypts the fragments of one track for one request, on one
// goroutine at a time. It is cheap to create: the key schedule lives in
// the shared Cipher and the track setup in the shared Protection.
type Encryptor struct {
	p *Protection
	c *Cipher
}

// NewEncryptor returns an encryptor for p's fragments under the key of c.
func NewEncryptor(p *Protection, c *Cipher) *Encryptor {
	return &Encryptor{p: p, c: c}
}

func (*Encryptor) String() string { return "cenc.Encryptor(redacted)" }

// EncryptFragment encrypts the samples of f in place and adds senc, saiz
// and saio boxes to its traf (none for cbcs audio, whose constant IV and
// whole-sample encryption leave nothing to describe). f must hold one
// traf with one trun whose samples lie back to back from the start of the
// mdat payload, as media.Fragment builds it; the mdat bytes are
// overwritten.
//
// first is the index of f's first sample in the track's whole sample
// sequence (media.SegmentData.Seg.First): it selects the cenc IVs, so the
// same fragment always encrypts to the same bytes and no two samples of
// the track share an IV (see the package documentation). cbcs ignores it.
func (e *Encryptor) EncryptFragment(f *mp4.Fragment, first uint64) error {
	traf, sizes, data, err := layout(f)
	if err != nil {
		return err
	}
	p := e.p
	n := len(sizes)
	video := p.media != audio
	if p.scheme == CBCS && !video {
		for i, off := 0, 0; i < n; i++ {
			e.c.cbcEncrypt(data[off:off+sizes[i]], &p.constIV)
			off += sizes[i]
		}
		return nil
	}
	// Subsample layouts of all samples share one backing array (which
	// senc keeps); the per-sample slices are cut once it stops growing.
	var all []mp4.SubSamplePattern
	var ends []int
	if video {
		ends = make([]int, n)
	}
	var ivs []byte
	if p.scheme == CENC {
		ivs = make([]byte, 8*n)
	}
	for i, off := 0, 0; i < n; i++ {
		s := data[off : off+sizes[i]]
		off += sizes[i]
		var subs []mp4.SubSamplePattern
		if video {
			from := len(all)
			if all, err = p.subsamples(all, s); err != nil {
				return fmt.Errorf("sample %d: %w", first+uint64(i), err)
			}
			ends[i] = len(all)
			subs = all[from:]
		}
		switch p.scheme {
		case CENC:
			iv := ivs[8*i : 8*i+8]
			binary.BigEndian.PutUint64(iv, p.salt+first+uint64(i))
			var ctr [16]byte
			copy(ctr[:], iv)
			stream := cipher.NewCTR(e.c.block, ctr[:])
			if !video {
				stream.XORKeyStream(s, s)
				break
			}
			pos := 0
			for _, ss := range subs {
				pos += int(ss.BytesOfClearData)
				end := pos + int(ss.BytesOfProtectedData)
				stream.XORKeyStream(s[pos:end], s[pos:end])
				pos = end
			}
		case CBCS:
			pos := 0
			for _, ss := range subs {
				pos += int(ss.BytesOfClearData)
				end := pos + int(ss.BytesOfProtectedData)
				e.c.patternEncrypt(s[pos:end], &p.constIV, 15)
				pos = end
			}
		}
	}
	return addBoxes(f, traf, n, ivs, all, ends)
}

// addBoxes writes the sample auxiliary information: senc with the IVs
// (cenc) and subsample layouts (video), saiz with their sizes, and saio
// pointing at the first entry inside senc.
func addBoxes(f *mp4.Fragment, traf *mp4.TrafBox, n int, ivs []byte, subs []mp4.SubSamplePattern, ends []int) error {
	senc := mp4.NewSencBox(0, 0)
	saiz := mp4.NewSaizBox(n)
	if ivs != nil {
		senc.IVs = make([]mp4.InitializationVector, 0, n)
	}
	if ends != nil {
		senc.SubSamples = make([][]mp4.SubSamplePattern, 0, n)
	}
	from := 0
	for i := range n {
		var s mp4.SencSample
		if ivs != nil {
			s.IV = ivs[8*i : 8*i+8 : 8*i+8]
		}
		if ends != nil {
			s.SubSamples = subs[from:ends[i]:ends[i]]
			from = ends[i]
		}
		if err := senc.AddSample(s); err != nil {
			return fmt.Errorf("cenc: senc: %w", err)
		}
		if err := saiz.AddSampleInfo(s.IV, s.SubSamples); err != nil {
			return fmt.Errorf("cenc: saiz: %w", err)
		}
	}
	saio := mp4.NewSaioBox()
	for _, b := range []mp4.Box{saiz, saio, senc} {
		if err := traf.AddChild(b); err != nil {
			return fmt.Errorf("cenc: add %s: %w", b.Type(), err)
		}
	}
	// saio counts from the start of the moof: its header, the boxes before
	// the traf, the traf header, the traf's boxes before senc, then senc's
	// full-box header and sample count.
	off := uint64(8)
	for _, c := range f.Moof.Children {
		if c == mp4.Box(traf) {
			break
		}
		off += c.Size()
	}
	off += 8
	for _, c := range traf.Children {
		if c == mp4.Box(senc) {
			break
		}
		off += c.Size()
	}
	saio.SetOffset(int64(off + 16))
	return nil
}

// layout checks that f is a single-track fragment whose samples can be
// encrypted and returns its traf, the sample sizes and the mdat payload.
func layout(f *mp4.Fragment) (*mp4.TrafBox, []int, []byte, error) {
	if f == nil || f.Moof == nil || f.Mdat == nil {
		return nil, nil, nil, fmt.Errorf("%w: fragment without moof or mdat", media.ErrMalformed)
	}
	if len(f.Moof.Trafs) != 1 || f.Moof.Traf == nil {
		return nil, nil, nil, fmt.Errorf("%w: fragment with %d trafs (encrypt single-track fragments)", media.ErrUnsupported, len(f.Moof.Trafs))
	}
	traf := f.Moof.Traf
	if traf.Tfhd == nil || len(traf.Truns) != 1 || traf.Trun == nil {
		return nil, nil, nil, fmt.Errorf("%w: traf with %d truns (want one)", media.ErrUnsupported, len(traf.Truns))
	}
	if traf.Senc != nil || traf.UUIDSenc != nil || traf.Saiz != nil || traf.Saio != nil {
		return nil, nil, nil, fmt.Errorf("%w: fragment already carries encryption boxes", media.ErrMalformed)
	}
	if f.Mdat.IsLazy() {
		return nil, nil, nil, fmt.Errorf("%w: mdat without data", media.ErrUnsupported)
	}
	// Optimizing the trun at encode time would move the senc after saio
	// was computed: do it now.
	if f.EncOptimize&mp4.OptimizeTrun != 0 {
		if err := traf.OptimizeTfhdTrun(); err != nil {
			return nil, nil, nil, fmt.Errorf("cenc: optimize trun: %w", err)
		}
		f.EncOptimize &^= mp4.OptimizeTrun
	}
	trun := traf.Trun
	sizes := make([]int, len(trun.Samples))
	total := 0
	data := f.Mdat.Data
	for i, s := range trun.Samples {
		size := s.Size
		if !trun.HasSampleSize() {
			if !traf.Tfhd.HasDefaultSampleSize() {
				return nil, nil, nil, fmt.Errorf("%w: fragment without sample sizes", media.ErrUnsupported)
			}
			size = traf.Tfhd.DefaultSampleSize
		}
		sizes[i] = int(size)
		total += int(size)
		if total > len(data) {
			return nil, nil, nil, fmt.Errorf("%w: samples of %d+ bytes in an mdat of %d", media.ErrMalformed, total, len(data))
		}
	}
	return traf, sizes, data, nil
}
