package hls_test

import (
	"context"
	"io"
	"testing"

	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager/hls"
)

// BenchmarkTSStream is BenchmarkTSSegment streamed: each segment muxed a
// chunk at a time into io.Discard through WriteTo, samples read as the
// units need them. B/op is what a request holds and frees (chunk and
// sample buffers come from pools), not the segment.
func BenchmarkTSStream(b *testing.B) {
	a := benchAsset(b)
	video, audio := a.p.Video()[0], a.p.Audio()[0]
	v := a.view(hls.TS, 0, 0)
	aes := hls.TSOptions{Encryption: hls.TSEncryption{Method: hls.TSAES128, Cipher: encCipher(b)}}
	for _, bc := range []struct {
		name         string
		video, audio *media.Track
		o            hls.TSOptions
	}{
		{"video", video, nil, hls.TSOptions{}},
		{"muxed", video, audio, hls.TSOptions{}},
		{"audio", nil, audio, hls.TSOptions{}},
		{"muxed-aes128", video, audio, aes},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			lead := bc.video
			if lead == nil {
				lead = bc.audio
			}
			n := len(lead.Segments)
			var size int64
			for k := range n {
				s, err := hls.NewTSStream(ctx, a.src, v, bc.video, k, bc.audio, bc.o, 0)
				if err != nil {
					b.Fatal(err)
				}
				size += s.Size()
				s.Close()
			}
			b.SetBytes(size / int64(n))
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				s, err := hls.NewTSStream(ctx, a.src, v, bc.video, i%n, bc.audio, bc.o, 0)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := s.WriteTo(io.Discard); err != nil {
					b.Fatal(err)
				}
				s.Close()
			}
		})
	}
}
