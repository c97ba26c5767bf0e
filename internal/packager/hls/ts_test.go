package hls_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/asticode/go-astits"

	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager/hls"
)

// adtsFrames counts the ADTS frames of an audio PES payload.
func adtsFrames(t *testing.T, b []byte) int {
	t.Helper()
	n := 0
	for len(b) > 0 {
		if len(b) < 7 || b[0] != 0xff || b[1]&0xf6 != 0xf0 {
			t.Fatalf("no ADTS sync word: % x", b[:min(8, len(b))])
		}
		l := int(b[3]&3)<<11 | int(b[4])<<3 | int(b[5]>>5)
		if l < 7 || l > len(b) {
			t.Fatalf("ADTS frame length %d with %d bytes left", l, len(b))
		}
		b = b[l:]
		n++
	}
	return n
}

func ts90(tr *media.Track, v int64) int64 {
	return (v + 10*int64(tr.Timescale)) * 90000 / int64(tr.Timescale)
}

func TestTSSegments(t *testing.T) {
	a := makeAsset(t, "av.mp4", 4*time.Second, srcAV)
	video, eng, spa := a.p.Video()[0], a.p.Find("aac_eng_2_128138", 0), a.p.Audio()[1]
	if eng == nil || spa.Language != "spa" {
		t.Fatalf("unexpected tracks %v", a.p.Tracks)
	}
	v := a.view(hls.TS, 0, 0)
	dir := t.TempDir()
	for _, tc := range []struct {
		name         string
		video, audio *media.Track
	}{
		{"video", video, nil},
		{"muxed", video, eng},
		{"audio", nil, spa},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lead := tc.video
			if lead == nil {
				lead = tc.audio
			}
			var all []byte
			audioFrames := 0
			for k, seg := range lead.Segments {
				b, err := hls.TSSegment(context.Background(), a.src, v, tc.video, k, tc.audio)
				if err != nil {
					t.Fatal(err)
				}
				again, err := hls.TSSegment(context.Background(), a.src, v, tc.video, k, tc.audio)
				if err != nil || !bytes.Equal(b, again) {
					t.Fatalf("segment %d differs between two calls (%v)", k, err)
				}
				all = append(all, b...)
				info := inspectTS(t, b)
				// Counters: PSI count segments, streams restart at 0
				// and end on 15 so that segments chain.
				if info.first[0] != k&15 || info.first[0x1000] != k&15 {
					t.Errorf("segment %d: PAT/PMT counters %d/%d", k, info.first[0], info.first[0x1000])
				}
				for _, pid := range []uint16{0x100, 0x101} {
					if f, ok := info.first[pid]; ok && (f != 0 || info.last[pid] != 15) {
						t.Errorf("segment %d PID %#x: counters %d..%d", k, pid, f, info.last[pid])
					}
				}
				var vpes, apes []tsPES
				for _, p := range info.pes {
					if p.pid == 0x100 {
						vpes = append(vpes, p)
					} else {
						apes = append(apes, p)
					}
				}
				wantPCR := uint16(0x101)
				if tc.video != nil {
					wantPCR = 0x100
				}
				if info.pmt.PCRPID != wantPCR {
					t.Errorf("PMT PCR PID %#x, want %#x", info.pmt.PCRPID, wantPCR)
				}
				if tc.video != nil {
					if info.pmt.ElementaryStreams[0].StreamType != astits.StreamTypeH264Video {
						t.Errorf("PMT %+v", info.pmt)
					}
					samples := tc.video.Samples[seg.First:seg.End]
					if len(vpes) != len(samples) {
						t.Fatalf("segment %d: %d video PES for %d samples", k, len(vpes), len(samples))
					}
					first := vpes[0]
					if !first.rai || first.pcr < 0 {
						t.Errorf("segment %d: first video PES rai=%v pcr=%d", k, first.rai, first.pcr)
					}
					if nt := nalTypes(first.data, false); len(nt) < 4 || !slices.Equal(nt[:3], []int{9, 7, 8}) || !slices.Contains(nt, 5) {
						t.Errorf("segment %d: first access unit has NAL types %v", k, nt)
					}
					for i, p := range vpes {
						s := samples[i]
						if want := ts90(tc.video, int64(s.DTS)+int64(s.CTO)); p.pts != want {
							t.Fatalf("segment %d frame %d: PTS %d, want %d", k, i, p.pts, want)
						}
						if want := ts90(tc.video, int64(s.DTS)-int64(tc.video.EditShift)); p.dts != want {
							t.Fatalf("segment %d frame %d: DTS %d, want %d", k, i, p.dts, want)
						}
						if p.pts < p.dts || (i > 0 && p.dts <= vpes[i-1].dts) {
							t.Fatalf("segment %d frame %d: PTS %d DTS %d", k, i, p.pts, p.dts)
						}
						if nt := nalTypes(p.data, false); nt[0] != 9 || slices.Contains(nt[1:], 9) {
							t.Fatalf("frame %d: NAL types %v", i, nt)
						}
					}
				}
				if tc.audio != nil {
					es := info.pmt.ElementaryStreams[len(info.pmt.ElementaryStreams)-1]
					if es.StreamType != astits.StreamTypeAACAudio || len(es.ElementaryStreamDescriptors) != 1 ||
						es.ElementaryStreamDescriptors[0].ISO639LanguageAndAudioType == nil ||
						string(es.ElementaryStreamDescriptors[0].ISO639LanguageAndAudioType.Language) != tc.audio.Language {
						t.Errorf("audio PMT entry %+v", es)
					}
					for i, p := range apes {
						audioFrames += adtsFrames(t, p.data)
						if tc.video == nil && p.pcr < 0 {
							t.Errorf("audio-only PES %d without PCR", i)
						}
						if i > 0 && p.pts-apes[i-1].pts > 9000 {
							t.Errorf("audio PES %d: %d ticks after the previous one", i, p.pts-apes[i-1].pts)
						}
					}
					aseg := tc.audio.Segments[k]
					if want := ts90(tc.audio, int64(tc.audio.Samples[aseg.First].DTS)); apes[0].pts != want {
						t.Errorf("segment %d: audio PTS %d, want %d", k, apes[0].pts, want)
					}
				}
				// Each segment decodes alone.
				path := filepath.Join(dir, tc.name+strconv.Itoa(k)+".ts")
				if err := os.WriteFile(path, b, 0o644); err != nil {
					t.Fatal(err)
				}
				for _, s := range probe(t, path) {
					tr := tc.audio
					if s.CodecType == "video" {
						tr = tc.video
					}
					sg := tr.Segments[k]
					if s.Frames != strconv.Itoa(sg.End-sg.First) {
						t.Errorf("segment %d alone: %s has %s frames, want %d", k, s.CodecType, s.Frames, sg.End-sg.First)
					}
				}
			}
			if tc.audio != nil && audioFrames != len(tc.audio.Samples) {
				t.Errorf("%d ADTS frames in all segments; track has %d samples", audioFrames, len(tc.audio.Samples))
			}
			// The concatenation is one continuous stream: counters chain.
			inspectTS(t, all)
		})
	}
}

func TestTSSegmentNotFound(t *testing.T) {
	a := makeAsset(t, "av.mp4", 4*time.Second, srcAV)
	video, audio := a.p.Video()[0], a.p.Audio()[0]
	ctx := context.Background()
	win := a.view(hls.TS, 4*media.HNS, 8*media.HNS)
	noAudio := a.view(hls.TS, 0, 0)
	noAudio.Tracks = []*media.Track{video}
	for _, tc := range []struct {
		name         string
		v            any
		video, audio *media.Track
		k            int
	}{
		{"before window", win, video, nil, 0},
		{"after window", win, video, nil, 2},
		{"past the end", noAudio, video, nil, 3},
		{"negative", noAudio, video, nil, -1},
		{"audio filtered out", noAudio, video, audio, 0},
		{"audio-only filtered out", noAudio, nil, audio, 0},
		{"no track", noAudio, nil, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := win
			if tc.v == noAudio {
				v = noAudio
			}
			if _, err := hls.TSSegment(ctx, a.src, v, tc.video, tc.k, tc.audio); !errors.Is(err, hls.ErrNotFound) {
				t.Errorf("err = %v; want ErrNotFound", err)
			}
		})
	}
	if _, err := hls.TSSegment(ctx, a.src, win, video, 1, nil); err != nil {
		t.Errorf("segment inside the window: %v", err)
	}
}

// TestTSDolbyAudio muxes AC-3 and E-AC-3 (stream types 0x81 / 0x87 with
// registration descriptors, PES stream id 0xBD).
func TestTSDolbyAudio(t *testing.T) {
	for _, codec := range []string{"ac3", "eac3"} {
		t.Run(codec, func(t *testing.T) {
			a := makeAsset(t, codec+".mp4", 2*time.Second, []string{
				"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
				"-t", "4", "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-c:a", codec, "-b:a", "96k",
			})
			video, audio := a.p.Video()[0], a.p.Audio()[0]
			dir := t.TempDir()
			for k := range video.Segments {
				for _, tc := range []struct {
					name  string
					video *media.Track
				}{{"muxed", video}, {"audio", nil}} {
					b, err := hls.TSSegment(context.Background(), a.src, a.view(hls.TS, 0, 0), tc.video, k, audio)
					if err != nil {
						t.Fatal(err)
					}
					inspectTS(t, b)
					path := filepath.Join(dir, tc.name+strconv.Itoa(k)+".ts")
					if err := os.WriteFile(path, b, 0o644); err != nil {
						t.Fatal(err)
					}
					seg := audio.Segments[k]
					for _, s := range probe(t, path) {
						if s.CodecType == "audio" && (s.CodecName != codec || s.Frames != strconv.Itoa(seg.End-seg.First)) {
							t.Errorf("%s segment %d: %s with %s frames; want %s with %d", tc.name, k, s.CodecName, s.Frames, codec, seg.End-seg.First)
						}
					}
				}
			}
		})
	}
}

// TestAppendTSSegment: appending into a dirty buffer writes every byte.
func TestAppendTSSegment(t *testing.T) {
	a := makeAsset(t, "av.mp4", 4*time.Second, srcAV)
	video, audio := a.p.Video()[0], a.p.Audio()[0]
	v := a.view(hls.TSv3, 0, 0)
	want := must(hls.TSSegment(context.Background(), a.src, v, video, 1, audio))
	dirty := bytes.Repeat([]byte{0xaa}, 2*len(want))
	got, err := hls.AppendTSSegment(context.Background(), append(dirty[:0], "head"...), a.src, v, video, 1, audio)
	if err != nil {
		t.Fatal(err)
	}
	if string(got[:4]) != "head" || !bytes.Equal(got[4:], want) || &got[0] != &dirty[0] {
		t.Error("AppendTSSegment differs from TSSegment or did not reuse the buffer")
	}
}
