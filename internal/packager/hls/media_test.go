package hls_test

import (
	"bytes"
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/Eyevinn/hls-m3u8/m3u8"

	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager/hls"
)

func decodeMedia(t *testing.T, b []byte) *m3u8.MediaPlaylist {
	t.Helper()
	pl, typ, err := m3u8.DecodeFrom(bytes.NewReader(b), true)
	if err != nil || typ != m3u8.MEDIA {
		t.Fatalf("decode (%v, type %v):\n%s", err, typ, b)
	}
	return pl.(*m3u8.MediaPlaylist)
}

func segments(p *m3u8.MediaPlaylist) []*m3u8.MediaSegment {
	var out []*m3u8.MediaSegment
	for _, s := range p.Segments {
		if s != nil {
			out = append(out, s)
		}
	}
	return out
}

func TestMediaPlaylist(t *testing.T) {
	a := makeAsset(t, "av.mp4", 4*time.Second, srcAV)
	video, eng := a.p.Video()[0], a.p.Audio()[0]
	for _, tc := range []struct {
		name       string
		f          hls.Format
		tr         *media.Track
		start, end uint64
		o          hls.MediaOptions
		version    uint8
		uriSuffix  string
		lo, hi     int
	}{
		{"aapl video", hls.TS, video, 0, 0, hls.MediaOptions{}, 4, ",format=m3u8-aapl)", 0, 3},
		{"aapl audio", hls.TS, eng, 0, 0, hls.MediaOptions{}, 4, ",format=m3u8-aapl)", 0, 3},
		{"v3 video muxes the first audio", hls.TSv3, video, 0, 0, hls.MediaOptions{}, 3, ",format=m3u8-aapl-v3,audiotrack=" + eng.Name + ")", 0, 3},
		{"v3 named audio", hls.TSv3, video, 0, 0, hls.MediaOptions{AudioTrack: a.p.Audio()[1].Name}, 3, ",format=m3u8-aapl-v3,audiotrack=" + a.p.Audio()[1].Name + ")", 0, 3},
		{"cmaf video", hls.CMAF, video, 0, 0, hls.MediaOptions{}, 7, ",format=m3u8-cmaf)", 0, 3},
		{"cmaf audio window", hls.CMAF, eng, 4 * media.HNS, 8 * media.HNS, hls.MediaOptions{}, 7, ",format=m3u8-cmaf)", 1, 2},
		{"aapl window to the end", hls.TS, video, 4 * media.HNS, 0, hls.MediaOptions{}, 4, ",format=m3u8-aapl)", 1, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.Format = tc.f
			b, err := hls.MediaPlaylist(a.view(tc.f, tc.start, tc.end), tc.tr, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			p := decodeMedia(t, b)
			segs := segments(p)
			if p.Version() != tc.version || p.MediaType != m3u8.VOD || !p.Closed || !p.IndependentSegments() || p.SeqNo != uint64(tc.lo) {
				t.Errorf("version %d type %v closed %v seq %d\n%s", p.Version(), p.MediaType, p.Closed, p.SeqNo, b)
			}
			if minVer, why := p.CalcMinVersion(); minVer > p.Version() {
				t.Errorf("version %d below the minimum %d (%s)", p.Version(), minVer, why)
			}
			if len(segs) != tc.hi-tc.lo {
				t.Fatalf("%d segments; want %d", len(segs), tc.hi-tc.lo)
			}
			var sum, longest float64
			for i, s := range segs {
				ts := tc.tr.Segments[tc.lo+i]
				want := "Fragments(" + tc.tr.Name + "=" + strconv.FormatUint(ts.Start, 10) + tc.uriSuffix
				if s.URI != want {
					t.Errorf("segment %d URI %s; want %s", i, s.URI, want)
				}
				if d := float64(ts.Dur) / float64(tc.tr.Timescale); math.Abs(s.Duration-d) > 0.0005 {
					t.Errorf("segment %d EXTINF %.3f; want %.6f", i, s.Duration, d)
				}
				sum += s.Duration
				longest = max(longest, s.Duration)
			}
			if p.TargetDuration != uint(math.Ceil(longest)) {
				t.Errorf("target duration %d for a longest segment of %.3f s", p.TargetDuration, longest)
			}
			if tc.start == 0 && tc.end == 0 {
				frame := 1.0 / 30
				if d := tc.tr.DurationTime().Seconds(); math.Abs(sum-d) > frame {
					t.Errorf("EXTINFs sum to %.3f s; track lasts %.3f s", sum, d)
				}
			}
			if tc.f == hls.CMAF {
				if p.Map == nil || p.Map.URI != "Fragments("+tc.tr.Name+"=i,format=m3u8-cmaf)" {
					t.Errorf("EXT-X-MAP %+v", p.Map)
				}
			} else if p.Map != nil {
				t.Errorf("TS playlist with EXT-X-MAP")
			}
		})
	}
}

func TestMediaPlaylistKeys(t *testing.T) {
	a := makeAsset(t, "av.mp4", 4*time.Second, srcAV)
	keys := []hls.Key{{Method: "AES-128", URI: "https://kd/?kid=1", IV: "0x00000000000000000000000000000001"}}
	p := decodeMedia(t, must(hls.MediaPlaylist(a.view(hls.TS, 0, 0), a.p.Tracks[0], hls.MediaOptions{Format: hls.TS, Keys: keys})))
	if len(p.Keys) != 1 || p.Keys[0].Method != "AES-128" || p.Keys[0].URI != keys[0].URI || p.Keys[0].IV != keys[0].IV {
		t.Errorf("keys %+v", p.Keys)
	}
	// In CMAF the key follows EXT-X-MAP, so the initialization section
	// stays clear (a key before the map would cover it).
	b := string(must(hls.MediaPlaylist(a.view(hls.CMAF, 0, 0), a.p.Tracks[0], hls.MediaOptions{Format: hls.CMAF, Keys: keys})))
	if m, k := strings.Index(b, "#EXT-X-MAP:"), strings.Index(b, "#EXT-X-KEY:"); m < 0 || k < m || strings.Count(b, "#EXT-X-KEY:") != 1 {
		t.Errorf("CMAF playlist: EXT-X-MAP at %d, EXT-X-KEY at %d:\n%s", m, k, b)
	}
}

func TestMediaPlaylistNotFound(t *testing.T) {
	a := makeAsset(t, "av.mp4", 4*time.Second, srcAV)
	video, audio := a.p.Video()[0], a.p.Audio()[0]
	v := a.view(hls.TS, 0, 0)
	v.Tracks = []*media.Track{video}
	empty := a.view(hls.TS, 20*media.HNS, 0)
	for _, tc := range []struct {
		name string
		run  func() ([]byte, error)
	}{
		{"filtered track", func() ([]byte, error) { return hls.MediaPlaylist(v, audio, hls.MediaOptions{}) }},
		{"nil track", func() ([]byte, error) { return hls.MediaPlaylist(v, nil, hls.MediaOptions{}) }},
		{"empty window", func() ([]byte, error) { return hls.MediaPlaylist(empty, video, hls.MediaOptions{}) }},
		{"unknown audiotrack", func() ([]byte, error) {
			return hls.MediaPlaylist(a.view(hls.TSv3, 0, 0), video, hls.MediaOptions{Format: hls.TSv3, AudioTrack: "nope"})
		}},
		{"audio keyframes", func() ([]byte, error) {
			return hls.MediaPlaylist(a.view(hls.TS, 0, 0), audio, hls.MediaOptions{Keyframes: true})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.run(); !errors.Is(err, hls.ErrNotFound) {
				t.Errorf("err = %v; want ErrNotFound", err)
			}
		})
	}
}

// TestKeyframesTS checks every I-frame entry against the segment the
// origin serves for its URI: the EXT-X-MAP range holds PAT and PMT, the
// byte range exactly the packets of one IDR access unit.
func TestKeyframesTS(t *testing.T) {
	a := makeAsset(t, "av.mp4", 4*time.Second, srcAV)
	video := a.p.Video()[0]
	sync := 0
	for _, s := range video.Samples {
		if s.Sync {
			sync++
		}
	}
	for _, tc := range []struct {
		name       string
		f          hls.Format
		start, end uint64
		entries    int
		seq        uint64
	}{
		{"aapl", hls.TS, 0, 0, sync, 0},
		{"v3 muxed", hls.TSv3, 0, 0, sync, 0},
		{"aapl window", hls.TS, 4 * media.HNS, 8 * media.HNS, 2, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := hls.MediaPlaylist(a.view(tc.f, tc.start, tc.end), video, hls.MediaOptions{Format: tc.f, Keyframes: true})
			if err != nil {
				t.Fatal(err)
			}
			p := decodeMedia(t, b)
			segs := segments(p)
			if !p.Iframe || p.Version() != 5 || len(segs) != tc.entries || p.SeqNo != tc.seq {
				t.Fatalf("iframe %v version %d entries %d seq %d:\n%s", p.Iframe, p.Version(), len(segs), p.SeqNo, b)
			}
			var sum float64
			cache := map[string][]byte{}
			cur := p.Map // the decoder keeps the first EXT-X-MAP on the playlist
			for i, s := range segs {
				sum += s.Duration
				seg, ok := cache[s.URI]
				if !ok {
					if seg, err = a.handle("/a.ism/QualityLevels("+itoa(video.Bitrate)+")/"+s.URI, tc.start, tc.end); err != nil {
						t.Fatal(err)
					}
					cache[s.URI] = seg
				}
				if s.Map != nil {
					cur = s.Map
				}
				if cur == nil || cur.URI != s.URI || cur.Offset != 0 || cur.Limit != 376 {
					t.Fatalf("entry %d: map %+v", i, cur)
				}
				if s.Offset%188 != 0 || s.Limit%188 != 0 || s.Offset+s.Limit > int64(len(seg)) {
					t.Fatalf("entry %d: range %d@%d in a %d-byte segment", i, s.Limit, s.Offset, len(seg))
				}
				part := append(append([]byte{}, seg[:376]...), seg[s.Offset:s.Offset+s.Limit]...)
				info := inspectTS(t, part)
				if len(info.pes) != 1 || info.pes[0].pid != 0x100 || !info.pes[0].rai {
					t.Fatalf("entry %d: %d PES in the range", i, len(info.pes))
				}
				nt := nalTypes(info.pes[0].data, false)
				if len(nt) < 4 || nt[0] != 9 || nt[1] != 7 || !containsInt(nt, 5) {
					t.Fatalf("entry %d: NAL types %v", i, nt)
				}
				if end := s.Offset + s.Limit; end < int64(len(seg)) {
					if next := seg[end:]; next[1]&0x40 == 0 { // the following packet starts a PES
						t.Fatalf("entry %d: range ends inside a PES", i)
					}
				}
			}
			if tc.start == 0 {
				if d := video.DurationTime().Seconds(); math.Abs(sum-d) > 1.0/30 {
					t.Errorf("I-frame EXTINFs sum to %.3f s; track lasts %.3f s", sum, d)
				}
			}
		})
	}
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestKeyframesCMAF(t *testing.T) {
	a := makeAsset(t, "av.mp4", 4*time.Second, srcAV)
	video := a.p.Video()[0]
	b := must(hls.MediaPlaylist(a.view(hls.CMAF, 0, 0), video, hls.MediaOptions{Format: hls.CMAF, Keyframes: true}))
	p := decodeMedia(t, b)
	segs := segments(p)
	var want []string
	for _, s := range video.Samples {
		if s.Sync {
			want = append(want, "Fragments(video="+strconv.FormatUint(s.DTS, 10)+",format=m3u8-cmaf,type=keyframes)")
		}
	}
	if !p.Iframe || p.Version() != 7 || p.Map == nil || len(segs) != len(want) {
		t.Fatalf("playlist:\n%s", b)
	}
	for i, s := range segs {
		if s.URI != want[i] || s.Duration != 2 {
			t.Errorf("entry %d: %s %.3f", i, s.URI, s.Duration)
		}
	}
	// Not a keyframe, or outside the window.
	if _, err := hls.CMAFKeyframe(context.Background(), a.src, a.view(hls.CMAF, 0, 0), video, video.Samples[1].DTS); !errors.Is(err, hls.ErrNotFound) {
		t.Errorf("non-sync sample: %v", err)
	}
	if _, err := hls.CMAFKeyframe(context.Background(), a.src, a.view(hls.CMAF, 4*media.HNS, 0), video, 0); !errors.Is(err, hls.ErrNotFound) {
		t.Errorf("outside the window: %v", err)
	}
}
