package smooth_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/Eyevinn/mp4ff/mp4"
	"github.com/lockstream/lockstream/internal/cmaf"
	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager"
	"github.com/lockstream/lockstream/internal/packager/smooth"
)

func tfxdOf(traf *mp4.TrafBox) *mp4.TfxdData {
	for _, c := range traf.Children {
		if u, ok := c.(*mp4.UUIDBox); ok && u.Tfxd != nil {
			return u.Tfxd
		}
	}
	return nil
}

// TestFragments decodes every fragment with mp4ff: times in HNS matching
// the manifest, tfxd present, samples equal to the source's.
func TestFragments(t *testing.T) {
	f := newFixture(t)
	v := packager.Full(f.P, "")
	ctx := context.Background()
	mb, err := smooth.Manifest(v, smooth.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := parseManifest(t, mb)
	chunkStarts := map[*media.Track][]uint64{}
	for i, tr := range []*media.Track{f.P.Tracks[0], f.P.Tracks[2], f.P.Tracks[3]} {
		chunkStarts[tr], _ = expand(m.Streams[i].Chunk)
	}
	chunkStarts[f.P.Tracks[1]] = chunkStarts[f.P.Tracks[0]]
	for _, tr := range f.P.Tracks {
		whole, err := os.ReadFile(filepath.Join(f.Dir, tr.Source))
		if err != nil {
			t.Fatal(err)
		}
		for k, seg := range tr.Segments {
			// The client requests the manifest's time.
			if got := smooth.FindSegment(tr, chunkStarts[tr][k]); got != k {
				t.Fatalf("%s: FindSegment(%d) = %d; want %d", tr.Name, chunkStarts[tr][k], got, k)
			}
			b, err := smooth.Fragment(ctx, f.Src, v, tr, k)
			if err != nil {
				t.Fatal(err)
			}
			again, err := smooth.Fragment(ctx, f.Src, v, tr, k)
			if err != nil || !bytes.Equal(b, again) {
				t.Fatalf("%s fragment %d: not deterministic (%v)", tr.Name, k, err)
			}
			if string(b[4:8]) != "moof" {
				t.Fatalf("%s fragment %d starts with %q; want moof", tr.Name, k, b[4:8])
			}
			file, err := mp4.DecodeFile(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s fragment %d: mp4ff: %v", tr.Name, k, err)
			}
			frag := file.Segments[0].Fragments[0]
			traf := frag.Moof.Traf
			if frag.Moof.Mfhd.SequenceNumber != uint32(k+1) {
				t.Errorf("%s fragment %d: sequence number %d", tr.Name, k, frag.Moof.Mfhd.SequenceNumber)
			}
			start := tr.ToHNS(seg.Start)
			dur := tr.ToHNS(seg.Start+seg.Dur) - start
			x := tfxdOf(traf)
			if x == nil {
				t.Fatalf("%s fragment %d: no tfxd", tr.Name, k)
			}
			if x.FragmentAbsoluteTime != start || x.FragmentAbsoluteTime != chunkStarts[tr][k] || x.FragmentAbsoluteDuration != dur || x.Version != 1 {
				t.Errorf("%s fragment %d: tfxd %+v; want %d+%d", tr.Name, k, x, start, dur)
			}
			if traf.Tfdt.BaseMediaDecodeTime() != start {
				t.Errorf("%s fragment %d: tfdt %d; want %d", tr.Name, k, traf.Tfdt.BaseMediaDecodeTime(), start)
			}
			got, err := frag.GetFullSamples(nil)
			if err != nil {
				t.Fatal(err)
			}
			want := tr.Samples[seg.First:seg.End]
			if len(got) != len(want) {
				t.Fatalf("%s fragment %d: %d samples; want %d", tr.Name, k, len(got), len(want))
			}
			var sum uint64
			for i, s := range got {
				w := want[i]
				pts := int64(w.DTS) + int64(w.CTO)
				if s.DecodeTime != tr.ToHNS(w.DTS) || s.PresentationTime() != int64(tr.ToHNS(uint64(pts))) || s.IsSync() != w.Sync ||
					!bytes.Equal(s.Data, whole[w.Offset:w.Offset+int64(w.Size)]) {
					t.Fatalf("%s fragment %d sample %d: dts %d pts %d; source %d/%d in HNS", tr.Name, k, i, s.DecodeTime, s.PresentationTime(), tr.ToHNS(w.DTS), tr.ToHNS(uint64(pts)))
				}
				sum += uint64(s.Dur)
			}
			if sum != dur {
				t.Errorf("%s fragment %d: samples last %d; tfxd says %d", tr.Name, k, sum, dur)
			}
		}
		if _, err := smooth.Fragment(ctx, f.Src, v, tr, len(tr.Segments)); !errors.Is(err, smooth.ErrNotFound) {
			t.Errorf("%s: fragment past the end: %v", tr.Name, err)
		}
	}
	window := &packager.View{P: f.P, Tracks: f.P.Tracks[:1], Start: 4 * media.HNS}
	if _, err := smooth.Fragment(ctx, f.Src, window, f.P.Tracks[0], 0); !errors.Is(err, smooth.ErrNotFound) {
		t.Errorf("fragment before the window: %v", err)
	}
	if _, err := smooth.Fragment(ctx, f.Src, window, f.P.Tracks[2], 1); !errors.Is(err, smooth.ErrNotFound) {
		t.Errorf("filtered track: %v", err)
	}
}

// TestClientPlayback does what a Smooth client does: it builds an init
// segment from the manifest's data with the manifest timescale (HNS),
// appends the fragments, and decodes. ffmpeg reads no Smooth manifest, so
// the stream is handed to it as one fragmented MP4 per track.
func TestClientPlayback(t *testing.T) {
	f := newFixture(t)
	v := packager.Full(f.P, "")
	for _, tr := range f.P.Tracks {
		init, err := cmaf.InitSegment(tr)
		if err != nil {
			t.Fatal(err)
		}
		init.Moov.Mvhd.Timescale = media.HNS
		init.Moov.Trak.Mdia.Mdhd.Timescale = media.HNS
		var buf bytes.Buffer
		if err := init.Encode(&buf); err != nil {
			t.Fatal(err)
		}
		for k := range tr.Segments {
			b, err := smooth.Fragment(context.Background(), f.Src, v, tr, k)
			if err != nil {
				t.Fatal(err)
			}
			buf.Write(b)
		}
		path := filepath.Join(t.TempDir(), "client.mp4")
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		want := len(tr.Samples) // every AAC frame: no edit list here
		if got := frameCount(t, path); got != want {
			t.Errorf("%s: %d frames decoded; want %d", tr.Name, got, want)
		}
		if tr.Kind == media.Video && want != 360 {
			t.Errorf("%s: source has %d frames", tr.Name, want)
		}
	}
}
