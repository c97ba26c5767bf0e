package hls_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager/hls"
	"github.com/lockstream/lockstream/internal/test/mediatest"
)

// serveTS serves segments segs of a muxed TS rendition as two VOD
// playlists: /clear.m3u8, and /enc.m3u8 whose segments are encrypted with
// method under encKey (served at /key) and encIV, which the playlist
// states.
func serveTS(t *testing.T, a *asset, video, audio *media.Track, method string, segs []int) *httptest.Server {
	t.Helper()
	v := a.view(hls.TS, 0, 0)
	enc := hls.TSEncryption{Method: hls.TSSampleAES, Cipher: encCipher(t), IV: &encIV}
	if method == "AES-128" {
		enc.Method = hls.TSAES128
	}
	playlist := func(dir string) string {
		var b strings.Builder
		fmt.Fprintf(&b, "#EXTM3U\n#EXT-X-VERSION:5\n#EXT-X-TARGETDURATION:%d\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n", 5)
		if dir == "enc" {
			fmt.Fprintf(&b, "#EXT-X-KEY:METHOD=%s,URI=\"key\",IV=0x%s\n", method, hex.EncodeToString(encIV[:]))
		}
		for _, k := range segs {
			s := video.Segments[k]
			fmt.Fprintf(&b, "#EXTINF:%.3f,\n%s/%d.ts\n", float64(s.Dur)/float64(video.Timescale), dir, k)
		}
		b.WriteString("#EXT-X-ENDLIST\n")
		return b.String()
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := strings.TrimPrefix(r.URL.Path, "/")
		switch {
		case p == "key":
			_, _ = w.Write(encKey[:])
		case strings.HasSuffix(p, ".m3u8"):
			_, _ = w.Write([]byte(playlist(strings.TrimSuffix(p, ".m3u8"))))
		case strings.HasSuffix(p, ".ts"):
			dir, name, _ := strings.Cut(strings.TrimSuffix(p, ".ts"), "/")
			k, err := strconv.Atoi(name)
			if err != nil {
				http.NotFound(w, r)
				return
			}
			o := hls.TSOptions{}
			if dir == "enc" {
				o.Encryption = enc
			}
			b, err := hls.TSSegmentWith(context.Background(), a.src, v, video, k, audio, o)
			if err != nil {
				t.Errorf("%s: %v", p, err)
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			_, _ = w.Write(b)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// srcCABAC is 12 s of 320x180p30 H.264 Main (CABAC, 2 s GOPs, B-frames)
// with AAC, cut into 2 s segments for TestTSEncryptedFFmpeg. Its last
// half second repeats one frame: ffmpeg 5.1's HLS demuxer decrypts a
// SAMPLE-AES packet only while it has a current segment, which it no
// longer has when its parser flushes the last video frame at the end of
// the stream; a repeated frame codes as a slice too short (48 bytes or
// less) for SAMPLE-AES to encrypt.
var srcCABAC = []string{
	"-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=11.5,tpad=stop_mode=clone:stop_duration=0.5,format=yuv420p",
	"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=12",
	"-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main", "-g", "60", "-keyint_min", "60",
	"-sc_threshold", "0", "-bf", "2", "-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart",
}

// TestTSEncryptedFFmpeg plays the encrypted renditions with ffmpeg's HLS
// demuxer, an independent decryptor of both methods, and compares the
// decoded frames with the clear rendition's: every frame identical.
//
// ffmpeg 5.1 decrypts SAMPLE-AES slices after removing their emulation
// prevention bytes but does not put them back, so a slice that carried
// one reaches its decoder corrupted, whoever encrypted it. The SAMPLE-AES
// playlists therefore list only the segments none of whose encrypted
// slices carries one (most of them: emulation prevention is rare in
// CABAC data); TestTSSampleAES checks every segment exactly with the
// specification's decryptor.
func TestTSEncryptedFFmpeg(t *testing.T) {
	mediatest.Require(t)
	a := makeAsset(t, "cabac.mp4", 2*time.Second, srcCABAC)
	video, audio := a.p.Video()[0], a.p.Audio()[0]
	var all, clean []int
	for k := range video.Segments {
		all = append(all, k)
		if slicesWithEPB(t, a, video, k) == 0 {
			clean = append(clean, k)
		}
	}
	// The last segment must be among them, for its tail of short slices.
	if len(clean) < 3 || clean[len(clean)-1] != all[len(all)-1] {
		t.Fatalf("segments %v of %d free of emulation prevention in slices: the test needs other media", clean, len(all))
	}
	for _, method := range []string{"AES-128", "SAMPLE-AES"} {
		t.Run(method, func(t *testing.T) {
			segs := all
			if method == "SAMPLE-AES" {
				segs = clean
				t.Logf("segments %v of %d", segs, len(all))
			}
			srv := serveTS(t, a, video, audio, method, segs)
			plain := mediatest.Decode(t, srv.URL+"/clear.m3u8")
			enc := mediatest.Decode(t, srv.URL+"/enc.m3u8")
			if len(plain) != 2 || len(enc) != len(plain) {
				t.Fatalf("decoded %d streams, clear %d", len(enc), len(plain))
			}
			for i, s := range enc {
				c := plain[i]
				if s.Type != c.Type || s.Frames != c.Frames || s.Frames == 0 {
					t.Fatalf("%s stream %d: %d frames, clear %d", s.Type, i, s.Frames, c.Frames)
				}
				if s.Checksum != c.Checksum {
					t.Errorf("%s stream %d: decoded frames differ from the clear rendition", s.Type, i)
				}
			}
		})
	}
}

// slicesWithEPB counts the slice NAL units of segment k of t longer than
// 48 bytes (the ones SAMPLE-AES encrypts) that contain an emulation
// prevention byte.
func slicesWithEPB(t *testing.T, a *asset, tr *media.Track, k int) int {
	t.Helper()
	n := 0
	d, err := media.ReadSegment(context.Background(), a.src, tr, k)
	if err != nil {
		t.Fatal(err)
	}
	for i := range d.Samples {
		b := d.SampleBytes(i)
		for len(b) >= 4 {
			l := int(b[0])<<24 | int(b[1])<<16 | int(b[2])<<8 | int(b[3])
			if l > len(b)-4 {
				t.Fatal("bad NAL length")
			}
			nal := b[4 : 4+l]
			if l > 48 && (nal[0]&0x1f == 1 || nal[0]&0x1f == 5) && strings.Contains(string(nal), "\x00\x00\x03") {
				n++
			}
			b = b[4+l:]
		}
	}
	return n
}
