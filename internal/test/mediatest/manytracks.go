package mediatest

import (
	"bytes"
	"fmt"

	mp4aac "github.com/Eyevinn/mp4ff/aac"
	"github.com/Eyevinn/mp4ff/mp4"
)

// ManyTracksMP4 builds, in memory, a fragmented MP4 with n AAC audio
// tracks (the same language and bitrate, so every one needs a distinct
// name) and one fragment holding one silent-frame sample per track: the
// shape of the many-track files that made track naming quadratic. Built
// here with mp4ff rather than committed, since 10,000 tracks take 29 MB.
func ManyTracksMP4(n int) ([]byte, error) {
	init := mp4.CreateEmptyInit()
	ids := make([]uint32, n)
	for i := range n {
		trak := init.AddEmptyTrack(48000, "audio", "und")
		if err := trak.SetAACDescriptor(mp4aac.AAClc, 48000); err != nil {
			return nil, fmt.Errorf("aac descriptor: %w", err)
		}
		ids[i] = trak.Tkhd.TrackID
	}
	frag, err := mp4.CreateMultiTrackFragment(1, ids)
	if err != nil {
		return nil, fmt.Errorf("fragment: %w", err)
	}
	// A raw AAC-LC frame of silence (one channel element, all zero).
	silence := []byte{0x21, 0x10, 0x04, 0x60, 0x8c, 0x1c}
	for _, id := range ids {
		s := mp4.FullSample{Sample: mp4.Sample{Flags: mp4.SyncSampleFlags, Dur: 1024, Size: uint32(len(silence))}, DecodeTime: 0, Data: silence}
		if err := frag.AddFullSampleToTrack(s, id); err != nil {
			return nil, fmt.Errorf("sample: %w", err)
		}
	}
	var buf bytes.Buffer
	if err := init.Encode(&buf); err != nil {
		return nil, fmt.Errorf("encode init: %w", err)
	}
	if err := frag.Encode(&buf); err != nil {
		return nil, fmt.Errorf("encode fragment: %w", err)
	}
	return buf.Bytes(), nil
}
