package media_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/lockstream/lockstream/internal/cmaf"
	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/test/mediatest"
)

func TestPresentationSegments(t *testing.T) {
	dir := t.TempDir()
	_, size := mediatest.Make(t, dir, "av.mp4", append(append([]string{}, media.SrcAV...), "-movflags", "+faststart")...)
	src := mediatest.NewDirSource(dir)
	p, err := media.Load(context.Background(), src, []media.Ref{{File: "av.mp4", Size: size}}, media.Options{TargetDuration: 4 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if want := []uint64{0, 4 * media.HNS, 8 * media.HNS}; !slices.Equal(p.Boundaries, want) {
		t.Fatalf("boundaries %v; want %v", p.Boundaries, want)
	}
	for _, tr := range p.Tracks {
		if len(tr.Segments) != 3 {
			t.Fatalf("%s: %d segments", tr.Name, len(tr.Segments))
		}
		n := 0
		for k, s := range tr.Segments {
			if s.First != n {
				t.Fatalf("%s: segment %d starts at sample %d; want %d", tr.Name, k, s.First, n)
			}
			if tr.Kind == media.Video && !tr.Samples[s.First].Sync {
				t.Fatalf("segment %d starts on a non-sync sample", k)
			}
			if tr.SegmentAt(s.Start) != k {
				t.Fatalf("SegmentAt(%d) != %d", s.Start, k)
			}
			n = s.End
		}
		if n != len(tr.Samples) {
			t.Fatalf("%s: segments cover %d of %d samples", tr.Name, n, len(tr.Samples))
		}
	}
	// Every fragment decodes with mp4ff and carries the source's bytes.
	whole, err := os.ReadFile(filepath.Join(dir, "av.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range p.Tracks {
		init, err := cmaf.Init(tr)
		if err != nil {
			t.Fatal(err)
		}
		for k := range tr.Segments {
			d, err := media.ReadSegment(context.Background(), src, tr, k)
			if err != nil {
				t.Fatal(err)
			}
			f, err := cmaf.Fragment(d, uint32(k+1))
			if err != nil {
				t.Fatal(err)
			}
			b, err := cmaf.FragmentBytes(f, true)
			if err != nil {
				t.Fatal(err)
			}
			// cmaf.Encode writes the same bytes in place, without copying the
			// samples: its result shares d's buffer.
			inPlace, err := cmaf.Encode(d, f, true)
			if err != nil || !bytes.Equal(inPlace, b) || &inPlace[len(inPlace)-1] != &d.Data[len(d.Data)-1] {
				t.Fatalf("%s segment %d: Encode differs from FragmentBytes or copied (%v)", tr.Name, k, err)
			}
			file, err := mp4.DecodeFile(bytes.NewReader(append(append([]byte{}, init...), b...)))
			if err != nil {
				t.Fatalf("%s segment %d: mp4ff: %v", tr.Name, k, err)
			}
			got, err := file.Segments[0].Fragments[0].GetFullSamples(file.Init.Moov.Mvex.Trex)
			if err != nil {
				t.Fatal(err)
			}
			want := tr.Samples[tr.Segments[k].First:tr.Segments[k].End]
			if len(got) != len(want) {
				t.Fatalf("%s segment %d: %d samples; want %d", tr.Name, k, len(got), len(want))
			}
			for i, s := range got {
				w := want[i]
				if s.DecodeTime != w.DTS || s.CompositionTimeOffset != w.CTO || !bytes.Equal(s.Data, whole[w.Offset:w.Offset+int64(w.Size)]) {
					t.Fatalf("%s segment %d sample %d differs from the source", tr.Name, k, i)
				}
			}
		}
	}
}
