package hls_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager/hls"
	"github.com/lockstream/lockstream/internal/test/mediatest"
)

// seekSource serves files like mediatest.DirSource but its range reads
// can seek, as local files' do in the origin: the streamed samples then
// seek over the holes between them instead of reading through them.
type seekSource struct{ dir string }

func (s seekSource) ReadRange(_ context.Context, name string, off, n int64) (io.ReadCloser, error) {
	f, err := os.Open(filepath.Join(s.dir, name))
	if err != nil {
		return nil, err
	}
	return struct {
		*io.SectionReader
		io.Closer
	}{io.NewSectionReader(f, off, n), f}, nil
}

// countWriter counts the Writes it gets.
type countWriter struct {
	bytes.Buffer
	writes int
}

func (w *countWriter) Write(p []byte) (int, error) {
	w.writes++
	return w.Buffer.Write(p)
}

// TestTSStream: every segment streamed is byte for byte what
// AppendTSSegmentWith builds, clear and AES-128 (sequence and explicit
// IVs), video, video with muxed audio (audiotrack=), audio only and
// HEVC, from sources that seek over holes and sources that read through
// them, with the default chunk and with chunks smaller than every unit
// (1 byte is raised to the smallest, PAT and PMT): through WriteTo (few
// large writes), through Reads of odd sizes, and through seeks back and
// forth as http.ServeContent does for ranges.
func TestTSStream(t *testing.T) {
	a := makeAsset(t, "av.mp4", 4*time.Second, srcAV)
	hevc := makeAsset(t, "hevc.mp4", 2*time.Second, srcHEVC)
	c := encCipher(t)
	clearTS := hls.TSOptions{}
	seqIV := hls.TSOptions{Encryption: hls.TSEncryption{Method: hls.TSAES128, Cipher: c}}
	explicitIV := hls.TSOptions{Encryption: hls.TSEncryption{Method: hls.TSAES128, Cipher: c, IV: &encIV}}
	for _, tc := range []struct {
		name         string
		a            *asset
		video, audio *media.Track
	}{
		{"video", a, a.p.Video()[0], nil},
		{"muxed", a, a.p.Video()[0], a.p.Audio()[1]},
		{"audio", a, nil, a.p.Audio()[0]},
		{"hevc-muxed", hevc, hevc.p.Video()[0], hevc.p.Audio()[0]},
	} {
		for _, o := range []struct {
			name string
			o    hls.TSOptions
		}{{"clear", clearTS}, {"aes128", seqIV}, {"aes128-iv", explicitIV}} {
			for _, chunk := range []int{0, 1000, 1} {
				for _, seek := range []bool{false, true} {
					name := fmt.Sprintf("%s/%s/chunk-%d/seeker-%v", tc.name, o.name, chunk, seek)
					t.Run(name, func(t *testing.T) {
						var src media.Source = tc.a.src
						if seek {
							src = seekSource{tc.a.dir}
						}
						checkTSStream(t, tc.a, src, tc.video, tc.audio, o.o, chunk)
					})
				}
			}
		}
	}
}

func checkTSStream(t *testing.T, a *asset, src media.Source, video, audio *media.Track, o hls.TSOptions, chunk int) {
	t.Helper()
	ctx := context.Background()
	v := a.view(hls.TS, 0, 0)
	lead := video
	if lead == nil {
		lead = audio
	}
	if !hls.TSStreamable(video, o) {
		t.Fatal("segment not streamable")
	}
	for k := range lead.Segments {
		want, err := hls.AppendTSSegmentWith(ctx, nil, a.src, v, video, k, audio, o)
		if err != nil {
			t.Fatal(err)
		}
		open := func() *hls.TSStream {
			s, err := hls.NewTSStream(ctx, src, v, video, k, audio, o, chunk)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
		s := open()
		if s.Size() != int64(len(want)) {
			t.Fatalf("segment %d: Size %d, built %d bytes", k, s.Size(), len(want))
		}
		var w countWriter
		if n, err := s.WriteTo(&w); err != nil || n != int64(len(want)) || !bytes.Equal(w.Bytes(), want) {
			t.Fatalf("segment %d: WriteTo wrote %d bytes (%v), differing from the built segment", k, n, err)
		}
		// The test asset's units are far below a default chunk, so
		// chunks come nearly full: few large writes.
		if chunk == 0 && w.writes > len(want)/(32<<10)+1 {
			t.Errorf("segment %d: %d writes for %d bytes", k, w.writes, len(want))
		}
		if n, err := s.WriteTo(&w); n != 0 || err != nil {
			t.Errorf("segment %d: WriteTo at the end: %d, %v", k, n, err)
		}

		s = open()
		var got []byte
		sizes := []int{1, 187, 4099, 65537, 13}
		for i := 0; ; i++ {
			p := make([]byte, sizes[i%len(sizes)])
			n, err := s.Read(p)
			got = append(got, p[:n]...)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("segment %d: Read: %v", k, err)
			}
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("segment %d: Reads of odd sizes give %d bytes differing from the built segment", k, len(got))
		}

		// Ranges in the order a client might ask them: forward, then
		// back to the start, into the PSI packets, across chunks, to the
		// very end (the AES-128 padding) and back again.
		size := len(want)
		ranges := [][2]int{{size / 2, 200}, {0, 100}, {size / 3, 70000}, {377, 10}, {size - 3, 3}, {200, 1}, {size - 17, 17}, {size / 5, 5000}, {0, size}}
		for _, rg := range ranges {
			off, n := rg[0], min(rg[1], size-rg[0])
			if _, err := s.Seek(int64(off), io.SeekStart); err != nil {
				t.Fatal(err)
			}
			b := make([]byte, n)
			if _, err := io.ReadFull(s, b); err != nil {
				t.Fatalf("segment %d: range %d+%d: %v", k, off, n, err)
			}
			if !bytes.Equal(b, want[off:off+n]) {
				t.Fatalf("segment %d: range %d+%d differs from the built segment", k, off, n)
			}
		}
		if _, err := s.Seek(0, io.SeekEnd); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Read(make([]byte, 10)); n != 0 || !errors.Is(err, io.EOF) {
			t.Errorf("segment %d: Read at the end: %d, %v", k, n, err)
		}
	}
}

// TestTSStreamRefusals: segments planned from their sample data (NAL unit
// lengths other than 4 bytes, SAMPLE-AES) are not streamable and
// NewTSStream says so; requests for what does not exist fail as
// TSSegment's do, before anything is read.
func TestTSStreamRefusals(t *testing.T) {
	a := makeAsset(t, "av.mp4", 4*time.Second, srcAV)
	v := a.view(hls.TS, 0, 0)
	ctx := context.Background()
	video := a.p.Video()[0]
	if !hls.TSStreamable(video, hls.TSOptions{}) || !hls.TSStreamable(nil, hls.TSOptions{}) {
		t.Fatal("4-byte NAL lengths and audio should stream")
	}
	short := *video
	short.NALULengthSize = 2
	sampleAES := hls.TSOptions{Encryption: hls.TSEncryption{Method: hls.TSSampleAES, Cipher: encCipher(t)}}
	for _, tc := range []struct {
		name  string
		video *media.Track
		o     hls.TSOptions
	}{{"nal-length-2", &short, hls.TSOptions{}}, {"sample-aes", video, sampleAES}} {
		if hls.TSStreamable(tc.video, tc.o) {
			t.Errorf("%s: streamable", tc.name)
		}
		if _, err := hls.NewTSStream(ctx, a.src, v, tc.video, 0, nil, tc.o, 0); !errors.Is(err, media.ErrUnsupported) {
			t.Errorf("%s: NewTSStream: %v, want ErrUnsupported", tc.name, err)
		}
	}
	for _, k := range []int{-1, len(video.Segments)} {
		if _, err := hls.NewTSStream(ctx, a.src, v, video, k, nil, hls.TSOptions{}, 0); !errors.Is(err, hls.ErrNotFound) {
			t.Errorf("segment %d: %v, want ErrNotFound", k, err)
		}
	}
	if _, err := hls.NewTSStream(ctx, a.src, v, nil, 0, nil, hls.TSOptions{}, 0); !errors.Is(err, hls.ErrNotFound) {
		t.Errorf("no track: %v, want ErrNotFound", err)
	}
}

// TestTSStreamTruncatedFile: a file cut short after its sample tables
// were read fails the stream's read with media.ErrMalformed once the
// muxer reaches the missing samples; what came before is the built
// segment's bytes.
func TestTSStreamTruncatedFile(t *testing.T) {
	a := makeAsset(t, "av.mp4", 4*time.Second, srcAV)
	b, err := os.ReadFile(filepath.Join(a.dir, "av.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	v := a.view(hls.TS, 0, 0)
	video := a.p.Video()[0]
	k := len(video.Segments) - 1
	seg := video.Segments[k]
	cut := video.Samples[(seg.First+seg.End)/2].Offset
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "av.mp4"), b[:cut], 0o644); err != nil {
		t.Fatal(err)
	}
	want, err := hls.TSSegment(ctx, a.src, v, video, k, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := hls.NewTSStream(ctx, mediatest.NewDirSource(dir), v, video, k, nil, hls.TSOptions{}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var w bytes.Buffer
	n, err := s.WriteTo(&w)
	if !errors.Is(err, media.ErrMalformed) {
		t.Fatalf("WriteTo over a truncated file: %d bytes, %v; want ErrMalformed", n, err)
	}
	if n == 0 || n >= int64(len(want)) || !bytes.Equal(w.Bytes(), want[:n]) {
		t.Fatalf("WriteTo wrote %d bytes before failing, not a proper prefix of the segment", n)
	}
}
