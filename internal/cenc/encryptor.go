package cenc

import (
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
	pl, err := e.Plan(f, first)
	if err != nil {
		return err
	}
	data := f.Mdat.Data
	if pl.Len() > 0 && data == nil {
		return fmt.Errorf("%w: mdat without data", media.ErrUnsupported)
	}
	for i, off := 0, 0; i < pl.Len(); i++ {
		s := data[off : off+pl.sizes[i]]
		off += pl.sizes[i]
		if err := pl.AddSample(i, s); err != nil {
			return err
		}
		pl.Encrypt(i, s)
	}
	return pl.Finish()
}

// Plan is the encryption of one fragment worked out sample by sample, so
// that a server can write the fragment's headers (senc, saiz, saio) before
// its samples and then encrypt each sample as it streams it: AddSample
// every sample in order, Finish (which adds the boxes to the fragment),
// then Encrypt each sample's bytes in place. EncryptFragment is the same
// steps over an mdat in memory, so both give the same bytes.
type Plan struct {
	e     *Encryptor
	f     *mp4.Fragment
	traf  *mp4.TrafBox
	sizes []int
	first uint64
	video bool
	// Subsample layouts of all samples share one backing array (which
	// senc keeps); the per-sample slices are cut once it stops growing.
	all  []mp4.SubSamplePattern
	ends []int
	ivs  []byte
}

// Plan starts the encryption of f, whose first sample is number first of
// the track. f's mdat may hold its data or only its size (lazy): the
// samples come to AddSample and Encrypt.
func (e *Encryptor) Plan(f *mp4.Fragment, first uint64) (*Plan, error) {
	traf, sizes, err := layout(f)
	if err != nil {
		return nil, err
	}
	p := e.p
	n := len(sizes)
	pl := &Plan{e: e, f: f, traf: traf, sizes: sizes, first: first, video: p.media != audio}
	if pl.video {
		pl.ends = make([]int, n)
	}
	if p.scheme == CENC {
		pl.ivs = make([]byte, 8*n)
	}
	return pl, nil
}

// Len is the number of samples of the fragment.
func (pl *Plan) Len() int { return len(pl.sizes) }

// SampleSize is the size of sample i.
func (pl *Plan) SampleSize(i int) int { return pl.sizes[i] }

// AddSample records sample i's layout (IV, subsamples) from its clear
// bytes s; samples come in order.
func (pl *Plan) AddSample(i int, s []byte) error {
	p := pl.e.p
	if len(s) != pl.sizes[i] {
		return fmt.Errorf("cenc: sample %d has %d bytes, trun says %d", i, len(s), pl.sizes[i])
	}
	if pl.video {
		var err error
		if pl.all, err = p.subsamples(pl.all, s); err != nil {
			return fmt.Errorf("sample %d: %w", pl.first+uint64(i), err)
		}
		pl.ends[i] = len(pl.all)
	}
	if p.scheme == CENC {
		binary.BigEndian.PutUint64(pl.ivs[8*i:8*i+8], p.salt+pl.first+uint64(i))
	}
	return nil
}

// subs returns sample i's subsample layout (video only).
func (pl *Plan) subs(i int) []mp4.SubSamplePattern {
	from := 0
	if i > 0 {
		from = pl.ends[i-1]
	}
	return pl.all[from:pl.ends[i]]
}

// Encrypt encrypts sample i (its clear bytes s, as given to AddSample) in
// place.
func (pl *Plan) Encrypt(i int, s []byte) { pl.EncryptTo(i, s, s) }

// EncryptTo writes sample i encrypted into dst (len(dst) ≥ len(src)),
// leaving src untouched unless it is dst: the same bytes Encrypt makes in
// place, for a server that reads its samples from memory it must not
// write (a mapped file). cenc XORs straight from src to dst, so the
// sample is read and written once. Both are the sample's cursor taking
// it whole, so the region walk (subsamples, pattern, chain) is written
// once.
func (pl *Plan) EncryptTo(i int, dst, src []byte) {
	c := pl.Cursor(i)
	c.Next(dst[:len(src)], src)
}

// Finish adds senc, saiz and saio to the fragment once every sample was
// added (none for cbcs audio, whose constant IV and whole-sample
// encryption leave nothing to describe).
func (pl *Plan) Finish() error {
	if pl.e.p.scheme == CBCS && !pl.video {
		return nil
	}
	return addBoxes(pl.f, pl.traf, len(pl.sizes), pl.ivs, pl.all, pl.ends)
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
func layout(f *mp4.Fragment) (*mp4.TrafBox, []int, error) {
	if f == nil || f.Moof == nil || f.Mdat == nil {
		return nil, nil, fmt.Errorf("%w: fragment without moof or mdat", media.ErrMalformed)
	}
	if len(f.Moof.Trafs) != 1 || f.Moof.Traf == nil {
		return nil, nil, fmt.Errorf("%w: fragment with %d trafs (encrypt single-track fragments)", media.ErrUnsupported, len(f.Moof.Trafs))
	}
	traf := f.Moof.Traf
	if traf.Tfhd == nil || len(traf.Truns) != 1 || traf.Trun == nil {
		return nil, nil, fmt.Errorf("%w: traf with %d truns (want one)", media.ErrUnsupported, len(traf.Truns))
	}
	if traf.Senc != nil || traf.UUIDSenc != nil || traf.Saiz != nil || traf.Saio != nil {
		return nil, nil, fmt.Errorf("%w: fragment already carries encryption boxes", media.ErrMalformed)
	}
	// Optimizing the trun at encode time would move the senc after saio
	// was computed: do it now.
	if f.EncOptimize&mp4.OptimizeTrun != 0 {
		if err := traf.OptimizeTfhdTrun(); err != nil {
			return nil, nil, fmt.Errorf("cenc: optimize trun: %w", err)
		}
		f.EncOptimize &^= mp4.OptimizeTrun
	}
	trun := traf.Trun
	sizes := make([]int, len(trun.Samples))
	total := 0
	// The mdat holds the samples, or only their size (lazy).
	data := f.Mdat.GetLazyDataSize()
	if !f.Mdat.IsLazy() {
		data = uint64(len(f.Mdat.Data))
	}
	for i, s := range trun.Samples {
		size := s.Size
		if !trun.HasSampleSize() {
			if !traf.Tfhd.HasDefaultSampleSize() {
				return nil, nil, fmt.Errorf("%w: fragment without sample sizes", media.ErrUnsupported)
			}
			size = traf.Tfhd.DefaultSampleSize
		}
		sizes[i] = int(size)
		total += int(size)
		if uint64(total) > data {
			return nil, nil, fmt.Errorf("%w: samples of %d+ bytes in an mdat of %d", media.ErrMalformed, total, data)
		}
	}
	return traf, sizes, nil
}
