package cmaf

import (
	"bytes"
	"fmt"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/lockstream/lockstream/internal/media"
)

// CMAF output uses one track per file, always with id 1.
const cmafTrackID = 1

// InitSegment builds a CMAF header (ftyp + moov) for t alone.
func InitSegment(t *media.Track) (*mp4.InitSegment, error) {
	init := mp4.CreateEmptyInit()
	init.Moov.Mvhd.Timescale = t.Timescale
	mediaType := "video"
	if t.Kind == media.Audio {
		mediaType = "audio"
	}
	trak := init.AddEmptyTrack(t.Timescale, mediaType, t.Language)
	if t.Kind == media.Video {
		trak.Tkhd.Width = mp4.Fixed32(uint32(t.Width) << 16)
		trak.Tkhd.Height = mp4.Fixed32(uint32(t.Height) << 16)
	}
	trak.Mdia.Minf.Stbl.Stsd.AddChild(t.Entry)
	if init.Ftyp != nil {
		brands := []string{"cmfc", "iso6", "iso8", "isom", "dash"}
		if t.Kind == media.Video {
			brands = append(brands, "cmfv")
		}
		init.Ftyp = mp4.NewFtyp("cmfc", 0, brands)
		init.Children[0] = init.Ftyp
	}
	return init, nil
}

// Init returns the encoded init segment of t.
func Init(t *media.Track) ([]byte, error) {
	init, err := InitSegment(t)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := init.Encode(&buf); err != nil {
		return nil, fmt.Errorf("encode init: %w", err)
	}
	return buf.Bytes(), nil
}

// Fragment builds the moof + mdat of one segment as a single-track CMAF
// fragment with sequence number seq. The mdat shares d.Data, or, when d
// holds no data (media.LayoutSource), is lazy: Header then encodes
// everything before the samples.
func Fragment(d *media.SegmentData, seq uint32) (*mp4.Fragment, error) {
	f, err := mp4.CreateFragment(seq, cmafTrackID)
	if err != nil {
		return nil, err
	}
	ss := make([]mp4.Sample, len(d.Samples))
	for i, s := range d.Samples {
		flags := mp4.NonSyncSampleFlags
		if s.Sync {
			flags = mp4.SyncSampleFlags
		}
		ss[i] = mp4.Sample{Flags: flags, Dur: s.Dur, Size: s.Size, CompositionTimeOffset: s.CTO}
	}
	f.AddSamples(ss, d.Seg.Start)
	if d.Data == nil && d.PayloadSize() > 0 {
		// Read for its layout only (media.LayoutSource): the mdat has a
		// size and the caller writes the samples after the headers.
		f.Mdat.SetLazyDataSize(uint64(d.PayloadSize()))
		return f, nil
	}
	f.Mdat.SetLazyDataSize(0)
	f.Mdat.SetData(d.Data)
	return f, nil
}

// Encode encodes f, built from d by Fragment (and possibly encrypted in
// place since), with a styp in front when styp is set. The headers are
// written into the room media.ReadSegment left in front of the samples, so
// the samples are not copied again; when f no longer holds d's samples as
// its mdat, or the headers outgrow the room, it falls back to
// FragmentBytes.
func Encode(d *media.SegmentData, f *mp4.Fragment, styp bool) ([]byte, error) {
	buf, head := d.HeaderRoom()
	if buf == nil || len(d.Data) == 0 {
		return FragmentBytes(f, styp)
	}
	hw := &headerWriter{skip: d.Data}
	if styp {
		if err := newStyp().Encode(hw); err != nil {
			return nil, err
		}
	}
	if err := f.Encode(hw); err != nil {
		return nil, fmt.Errorf("encode fragment: %w", err)
	}
	if !hw.skipped || hw.tail || len(hw.head) > head {
		return FragmentBytes(f, styp)
	}
	start := head - len(hw.head)
	copy(buf[start:], hw.head)
	return buf[start : head+len(d.Data)], nil
}

// headerWriter collects what an encoder writes around one payload slice
// that is already in place: skip is recognised by identity, not content.
type headerWriter struct {
	skip    []byte
	head    []byte
	skipped bool
	tail    bool // something was written after skip
}

func (w *headerWriter) Write(p []byte) (int, error) {
	switch {
	case !w.skipped && len(p) > 0 && len(p) == len(w.skip) && &p[0] == &w.skip[0]:
		w.skipped = true
	case w.skipped:
		w.tail = true
	default:
		w.head = append(w.head, p...)
	}
	return len(p), nil
}

// Header encodes what precedes the samples of the lazy fragment f (see
// Fragment): styp when styp is set, moof and the mdat header.
func Header(f *mp4.Fragment, styp bool) ([]byte, error) {
	if !f.Mdat.IsLazy() {
		return nil, fmt.Errorf("cmaf: header of a fragment with its samples in memory")
	}
	buf := bytes.NewBuffer(make([]byte, 0, 1024))
	if styp {
		if err := newStyp().Encode(buf); err != nil {
			return nil, err
		}
	}
	if err := f.Encode(buf); err != nil {
		return nil, fmt.Errorf("encode fragment header: %w", err)
	}
	return buf.Bytes(), nil
}

func newStyp() *mp4.StypBox {
	return mp4.NewStyp("msdh", 0, []string{"msdh", "msix", "cmfs", "cmff"})
}

// FragmentBytes encodes a fragment with a styp in front, as CMAF segments
// and DASH media segments carry.
func FragmentBytes(f *mp4.Fragment, styp bool) ([]byte, error) {
	buf := bytes.NewBuffer(make([]byte, 0, f.Size()+64))
	if styp {
		if err := newStyp().Encode(buf); err != nil {
			return nil, err
		}
	}
	if err := f.Encode(buf); err != nil {
		return nil, fmt.Errorf("encode fragment: %w", err)
	}
	return buf.Bytes(), nil
}
