package hls_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager/hls"
)

func TestCMAFSegments(t *testing.T) {
	a := makeAsset(t, "av.mp4", 4*time.Second, srcAV)
	whole, err := os.ReadFile(filepath.Join(a.dir, "av.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	v := a.view(hls.CMAF, 0, 0)
	for _, tr := range a.p.Tracks {
		init, err := hls.CMAFInit(tr)
		if err != nil {
			t.Fatal(err)
		}
		for k, seg := range tr.Segments {
			b, err := hls.CMAFSegment(ctx, a.src, v, tr, k)
			if err != nil {
				t.Fatal(err)
			}
			if again, _ := hls.CMAFSegment(ctx, a.src, v, tr, k); !bytes.Equal(b, again) {
				t.Fatalf("%s segment %d differs between two calls", tr.Name, k)
			}
			f, err := mp4.DecodeFile(bytes.NewReader(append(append([]byte{}, init...), b...)))
			if err != nil {
				t.Fatalf("%s segment %d: mp4ff: %v", tr.Name, k, err)
			}
			frag := f.Segments[0].Fragments[0]
			if frag.Moof.Mfhd.SequenceNumber != uint32(k+1) {
				t.Errorf("sequence number %d; want %d", frag.Moof.Mfhd.SequenceNumber, k+1)
			}
			got, err := frag.GetFullSamples(f.Init.Moov.Mvex.Trex)
			if err != nil {
				t.Fatal(err)
			}
			want := tr.Samples[seg.First:seg.End]
			if len(got) != len(want) {
				t.Fatalf("%s segment %d: %d samples; want %d", tr.Name, k, len(got), len(want))
			}
			for i, s := range got {
				w := want[i]
				if s.DecodeTime != w.DTS || !bytes.Equal(s.Data, whole[w.Offset:w.Offset+int64(w.Size)]) {
					t.Fatalf("%s segment %d sample %d differs from the source", tr.Name, k, i)
				}
			}
		}
	}
	video := a.p.Video()[0]
	if _, err := hls.CMAFSegment(ctx, a.src, a.view(hls.CMAF, 4*media.HNS, 8*media.HNS), video, 2); !errors.Is(err, hls.ErrNotFound) {
		t.Errorf("segment outside the window: %v", err)
	}

	// An I-frame fragment holds its keyframe alone, lasting until the next.
	init := must(hls.CMAFInit(video))
	s := video.Samples[60]
	b, err := hls.CMAFKeyframe(ctx, a.src, v, video, s.DTS)
	if err != nil {
		t.Fatal(err)
	}
	f, err := mp4.DecodeFile(bytes.NewReader(append(init, b...)))
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Segments[0].Fragments[0].GetFullSamples(f.Init.Moov.Mvex.Trex)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got[0].IsSync() || got[0].DecodeTime != s.DTS || got[0].Dur != uint32(video.Samples[120].DTS-s.DTS) ||
		!bytes.Equal(got[0].Data, whole[s.Offset:s.Offset+int64(s.Size)]) {
		t.Errorf("keyframe fragment: %d samples, %+v", len(got), got[0].Sample)
	}
}
