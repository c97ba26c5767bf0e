package hls

import "github.com/lockstream/lockstream/internal/media"

// MuxTS exposes the muxer alone (no reads) to benchmarks.
func MuxTS(k int, vd, ad *media.SegmentData) ([]byte, error) {
	var video, audio *media.Track
	if vd != nil {
		video = vd.Track
	}
	if ad != nil {
		audio = ad.Track
	}
	m, err := newTSMux(video, audio)
	if err != nil {
		return nil, err
	}
	return m.mux(nil, k, vd, ad, 0)
}
