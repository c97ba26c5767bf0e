package hls_test

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/Eyevinn/hls-m3u8/m3u8"

	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager/hls"
)

func decodeMaster(t *testing.T, b []byte) *m3u8.MasterPlaylist {
	t.Helper()
	pl, typ, err := m3u8.DecodeFrom(bytes.NewReader(b), true)
	if err != nil || typ != m3u8.MASTER {
		t.Fatalf("decode (%v, type %v):\n%s", err, typ, b)
	}
	return pl.(*m3u8.MasterPlaylist)
}

func TestMaster(t *testing.T) {
	a := makeAsset(t, "av.mp4", 4*time.Second, srcAV)
	video := a.p.Video()[0]
	eng, spa := a.p.Audio()[0], a.p.Audio()[1]
	br := func(tr *media.Track) string { return strconv.FormatUint(tr.Bitrate, 10) }
	for _, tc := range []struct {
		name      string
		o         hls.MasterOptions
		version   uint8
		streams   []string // URIs of EXT-X-STREAM-INF, in order
		iframes   []string
		renditons int
	}{
		{"aapl", hls.MasterOptions{Format: hls.TS}, 4,
			[]string{"QualityLevels(" + br(video) + ")/Manifest(video,format=m3u8-aapl)", "QualityLevels(" + br(eng) + ")/Manifest(" + eng.Name + ",format=m3u8-aapl)"},
			[]string{"QualityLevels(" + br(video) + ")/Manifest(video,format=m3u8-aapl,type=keyframes)"}, 2},
		{"aapl audio-only=false", hls.MasterOptions{Format: hls.TS, AudioOnlyFalse: true}, 4,
			[]string{"QualityLevels(" + br(video) + ")/Manifest(video,format=m3u8-aapl)"},
			[]string{"QualityLevels(" + br(video) + ")/Manifest(video,format=m3u8-aapl,type=keyframes)"}, 2},
		{"v3", hls.MasterOptions{Format: hls.TSv3}, 3,
			[]string{"QualityLevels(" + br(video) + ")/Manifest(video,format=m3u8-aapl-v3,audiotrack=" + eng.Name + ")", "QualityLevels(" + br(eng) + ")/Manifest(" + eng.Name + ",format=m3u8-aapl-v3)"},
			nil, 0},
		{"cmaf", hls.MasterOptions{Format: hls.CMAF}, 7,
			[]string{"QualityLevels(" + br(video) + ")/Manifest(video,format=m3u8-cmaf)", "QualityLevels(" + br(eng) + ")/Manifest(" + eng.Name + ",format=m3u8-cmaf)"},
			[]string{"QualityLevels(" + br(video) + ")/Manifest(video,format=m3u8-cmaf,type=keyframes)"}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := hls.Master(a.view(tc.o.Format, 0, 0), tc.o)
			if err != nil {
				t.Fatal(err)
			}
			again, _ := hls.Master(a.view(tc.o.Format, 0, 0), tc.o)
			if !bytes.Equal(b, again) {
				t.Error("two calls differ")
			}
			m := decodeMaster(t, b)
			if m.Version() != tc.version || !m.IndependentSegments() {
				t.Errorf("version %d independent %v; want %d", m.Version(), m.IndependentSegments(), tc.version)
			}
			if minVer, why := m.CalcMinVersion(); minVer > m.Version() {
				t.Errorf("version %d below the minimum %d (%s)", m.Version(), minVer, why)
			}
			var streams, iframes []string
			for _, vr := range m.Variants {
				if vr.Iframe {
					iframes = append(iframes, vr.URI)
					if vr.Codecs != video.Codec || vr.Resolution != "320x180" || vr.Bandwidth == 0 || vr.AverageBandwidth > vr.Bandwidth {
						t.Errorf("I-frame variant %+v", vr.VariantParams)
					}
					continue
				}
				streams = append(streams, vr.URI)
			}
			if strings.Join(streams, "\n") != strings.Join(tc.streams, "\n") || strings.Join(iframes, "\n") != strings.Join(tc.iframes, "\n") {
				t.Fatalf("variants\n%s\nI-frames\n%s\nwant\n%s\n%s", strings.Join(streams, "\n"), strings.Join(iframes, "\n"), strings.Join(tc.streams, "\n"), strings.Join(tc.iframes, "\n"))
			}
			main := m.Variants[0].VariantParams
			if main.Codecs != video.Codec+","+eng.Codec || main.Resolution != "320x180" || main.FrameRate != 30 {
				t.Errorf("video variant %+v", main)
			}
			peak := video.MaxBitrate + max(eng.MaxBitrate, spa.MaxBitrate)
			if tc.o.Format == hls.TSv3 {
				peak = video.MaxBitrate + eng.MaxBitrate
			}
			if uint64(main.Bandwidth) != peak || uint64(main.AverageBandwidth) != video.Bitrate+max(eng.Bitrate, spa.Bitrate) && tc.o.Format != hls.TSv3 {
				t.Errorf("BANDWIDTH %d AVERAGE-BANDWIDTH %d; want %d", main.Bandwidth, main.AverageBandwidth, peak)
			}
			if !strings.Contains(string(b), "FRAME-RATE=30.000") {
				t.Error("FRAME-RATE not written with 3 decimals")
			}
			alts := m.GetAllAlternatives()
			if len(alts) != tc.renditons {
				t.Fatalf("%d renditions; want %d", len(alts), tc.renditons)
			}
			if tc.renditons == 0 {
				if main.Audio != "" {
					t.Errorf("v3 variant has AUDIO=%q", main.Audio)
				}
				return
			}
			byLang := map[string]*m3u8.Alternative{}
			for _, alt := range alts {
				byLang[alt.Language] = alt
				if alt.Type != "AUDIO" || alt.GroupId != main.Audio || !alt.Autoselect {
					t.Errorf("rendition %+v (variant AUDIO=%q)", alt, main.Audio)
				}
			}
			en, es := byLang["en"], byLang["es"]
			if en == nil || es == nil || !en.Default || es.Default || en.Name != eng.Name || en.Channels.Amount != 2 || es.Channels.Amount != 1 ||
				es.URI != "QualityLevels("+br(spa)+")/Manifest("+spa.Name+","+"format="+tc.o.Format.String()+")" {
				t.Errorf("renditions en %+v es %+v", en, es)
			}
		})
	}
}

func TestMasterTrackSets(t *testing.T) {
	a := makeAsset(t, "av.mp4", 4*time.Second, srcAV)
	video, audio := a.p.Video()[0], a.p.Audio()[1]

	v := a.view(hls.TS, 0, 0)
	v.Tracks = []*media.Track{video}
	m := decodeMaster(t, must(hls.Master(v, hls.MasterOptions{Format: hls.TS})))
	if len(m.Variants) != 2 || m.Variants[0].Codecs != video.Codec || m.Variants[0].Audio != "" {
		t.Errorf("video only: %+v", m.Variants[0])
	}

	v.Tracks = []*media.Track{audio}
	m = decodeMaster(t, must(hls.Master(v, hls.MasterOptions{Format: hls.TS, AudioOnlyFalse: true})))
	if len(m.Variants) != 1 || m.Variants[0].Codecs != audio.Codec || !strings.Contains(m.Variants[0].URI, audio.Name) {
		t.Errorf("audio only: %+v", m.Variants)
	}

	v.Tracks = nil
	if _, err := hls.Master(v, hls.MasterOptions{}); !errors.Is(err, hls.ErrNotFound) {
		t.Errorf("no tracks: %v", err)
	}

	keys := []hls.Key{{Method: "SAMPLE-AES", URI: "skd://k", KeyFormat: "com.apple.streamingkeydelivery", KeyFormatVersions: "1"}}
	b := must(hls.Master(a.view(hls.TS, 0, 0), hls.MasterOptions{Format: hls.TS, Keys: keys}))
	m = decodeMaster(t, b)
	if len(m.SessionKeys) != 1 || m.SessionKeys[0].URI != "skd://k" || m.SessionKeys[0].Keyformat != keys[0].KeyFormat {
		t.Errorf("session keys %+v\n%s", m.SessionKeys, b)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
