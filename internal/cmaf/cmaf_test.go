package cmaf_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/lockstream/lockstream/internal/cmaf"
	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/test/mediatest"
)

// TestSegments builds every segment of a real file's tracks and checks
// what every format relies on: a CMAF header of track id 1 with the
// track's timescale, fragments numbered k+1 that start at the segment's
// decode time, Encode writing in place the bytes FragmentBytes writes,
// and mp4ff decoding header + segment to the source samples.
func TestSegments(t *testing.T) {
	dir := t.TempDir()
	_, size := mediatest.Make(t, dir, "av.mp4", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=30", "-f", "lavfi", "-i", "sine=sample_rate=48000",
		"-t", "6", "-c:v", "libx264", "-preset", "ultrafast", "-g", "60", "-keyint_min", "60", "-sc_threshold", "0", "-bf", "2",
		"-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart")
	src := mediatest.NewDirSource(dir)
	p, err := media.Load(context.Background(), src, []media.Ref{{File: "av.mp4", Size: size}}, media.Options{TargetDuration: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range p.Tracks {
		init, err := cmaf.Init(tr)
		if err != nil {
			t.Fatal(err)
		}
		hdr, err := mp4.DecodeFile(bytes.NewReader(init))
		if err != nil || hdr.Init == nil || len(hdr.Init.Moov.Traks) != 1 {
			t.Fatalf("%s: header does not decode to one track: %v", tr.Name, err)
		}
		if trak := hdr.Init.Moov.Traks[0]; trak.Tkhd.TrackID != 1 || trak.Mdia.Mdhd.Timescale != tr.Timescale {
			t.Fatalf("%s: track id %d timescale %d", tr.Name, trak.Tkhd.TrackID, trak.Mdia.Mdhd.Timescale)
		}
		for k, seg := range tr.Segments {
			d, f, err := cmaf.Segment(context.Background(), src, tr, k)
			if err != nil {
				t.Fatal(err)
			}
			if f.Moof.Mfhd.SequenceNumber != uint32(k+1) || f.Moof.Traf.Tfdt.BaseMediaDecodeTime() != seg.Start {
				t.Fatalf("%s segment %d: sequence %d, tfdt %d", tr.Name, k, f.Moof.Mfhd.SequenceNumber, f.Moof.Traf.Tfdt.BaseMediaDecodeTime())
			}
			want, err := cmaf.FragmentBytes(f, true)
			if err != nil {
				t.Fatal(err)
			}
			got, err := cmaf.Encode(d, f, true)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%s segment %d: Encode differs from FragmentBytes (%v)", tr.Name, k, err)
			}
			file, err := mp4.DecodeFile(bytes.NewReader(append(bytes.Clone(init), got...)))
			if err != nil || len(file.Segments) != 1 {
				t.Fatalf("%s segment %d: %v", tr.Name, k, err)
			}
			samples, err := file.Segments[0].Fragments[0].GetFullSamples(file.Init.Moov.Mvex.Trex)
			if err != nil || len(samples) != seg.End-seg.First {
				t.Fatalf("%s segment %d: %d samples, want %d (%v)", tr.Name, k, len(samples), seg.End-seg.First, err)
			}
			for i, s := range samples {
				if !bytes.Equal(s.Data, d.SampleBytes(i)) || s.DecodeTime != tr.Samples[seg.First+i].DTS {
					t.Fatalf("%s segment %d sample %d differs from the source", tr.Name, k, i)
				}
			}
		}
	}
}
