package hls

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/Eyevinn/hls-m3u8/m3u8"

	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager"
)

// MediaOptions shape a media playlist.
type MediaOptions struct {
	Format Format
	// Keyframes asks for the I-frame playlist (type=keyframes) of a video
	// track.
	Keyframes bool
	// AudioTrack names the audio track muxed into the video segments
	// (audiotrack=). TSv3 video playlists default to the view's first
	// audio track; other formats mux only when it is set.
	AudioTrack string
	// Keys are rendered as EXT-X-KEY tags before the first segment.
	Keys []Key
}

// MediaPlaylist returns the VOD media playlist of t, listing the segments
// of t inside the view's window.
func MediaPlaylist(v *packager.View, t *media.Track, o MediaOptions) ([]byte, error) {
	if t == nil || !v.Has(t) {
		return nil, fmt.Errorf("%w: track not in view", ErrNotFound)
	}
	lo, hi := v.Window(t)
	if lo >= hi {
		return nil, fmt.Errorf("%w: track %s has no segment in the window", ErrNotFound, t.Name)
	}
	muxed, err := muxedAudio(v, t, o)
	if err != nil {
		return nil, err
	}
	if o.Keyframes {
		if t.Kind != media.Video {
			return nil, fmt.Errorf("%w: I-frame playlist of audio track %s", ErrNotFound, t.Name)
		}
		if o.Format == CMAF {
			return cmafKeyframes(v, t, lo, hi, o)
		}
		return tsKeyframes(v, t, muxed, lo, hi, o)
	}
	p, err := m3u8.NewMediaPlaylist(0, uint(hi-lo))
	if err != nil {
		return nil, err
	}
	defer p.ReleasePlaylist()
	extra := audioTrackArg(muxed)
	var maxDur uint64
	for k := lo; k < hi; k++ {
		s := t.Segments[k]
		maxDur = max(maxDur, s.Dur)
		uri := fragmentURI(t, strconv.FormatUint(s.Start, 10), v.Suffix, extra)
		if err := p.Append(uri, seconds(s.Dur, t.Timescale), ""); err != nil {
			return nil, err
		}
	}
	ver := uint8(4)
	switch o.Format {
	case TSv3:
		ver = 3
	case CMAF:
		ver = 7
		p.SetDefaultMap(fragmentURI(t, "i", v.Suffix, ""), 0, 0)
	}
	return finish(p, lo, ceilDiv(maxDur, t.Timescale), ver, o.Keys), nil
}

// muxedAudio resolves the audio track muxed into t's segments.
func muxedAudio(v *packager.View, t *media.Track, o MediaOptions) (*media.Track, error) {
	if t.Kind != media.Video || o.Format == CMAF || (o.AudioTrack == "" && o.Format != TSv3) {
		return nil, nil
	}
	for _, a := range v.Audio() {
		if o.AudioTrack == "" || strings.EqualFold(a.Name, o.AudioTrack) {
			return a, nil
		}
	}
	if o.AudioTrack == "" {
		return nil, nil // no audio: video-only segments
	}
	return nil, fmt.Errorf("%w: audio track %q", ErrNotFound, o.AudioTrack)
}

// finish sets the common tags and encodes p.
func finish(p *m3u8.MediaPlaylist, seq int, target uint64, ver uint8, keys []Key) []byte {
	p.MediaType = m3u8.VOD
	p.SeqNo = uint64(seq)
	p.SetIndependentSegments(true)
	p.SetTargetDuration(uint(target))
	// Keys ride on the first segment, after EXT-X-MAP: a key tag before
	// the map would apply to the initialization section too, which is
	// never encrypted here (and METHOD=AES-128 would need an explicit IV
	// for it).
	for _, k := range keys {
		if p.Count() > 0 {
			p.Segments[0].Keys = append(p.Segments[0].Keys, m3u8.Key{Method: k.Method, URI: k.URI, IV: k.IV, Keyformat: k.KeyFormat, Keyformatversions: k.KeyFormatVersions})
		}
		if k.Method == "SAMPLE-AES" || k.KeyFormat != "" || k.KeyFormatVersions != "" {
			ver = max(ver, 5)
		}
	}
	p.SetVersion(ver)
	p.Close()
	return bytes.Clone(p.Encode().Bytes())
}

// tsKeyframes lists every sync sample of t's segments in [lo, hi) as a
// byte range of its PES packets inside the TS segment the origin serves
// for that segment URL, with the segment's PAT and PMT (its first two
// packets) as EXT-X-MAP. Layouts come from sample metadata alone.
func tsKeyframes(v *packager.View, t, muxed *media.Track, lo, hi int, o MediaOptions) ([]byte, error) {
	m, err := newTSMux(t, muxed)
	if err != nil {
		return nil, err
	}
	type entry struct {
		uri    string
		off, n int
		dur    uint64
	}
	var entries []entry
	extra := audioTrackArg(muxed)
	var maxDur uint64
	for k := lo; k < hi; k++ {
		seg := t.Segments[k]
		vs := t.Samples[seg.First:seg.End]
		var as []media.Sample
		if muxed != nil {
			a := muxed.Segments[closestSegment(muxed, t.ToHNS(seg.Start))]
			as = muxed.Samples[a.First:a.End]
		}
		l, err := plan(m.streams(vs, as, nil))
		if err != nil {
			return nil, err
		}
		idx, off, n := l.keyframeRanges()
		uri := fragmentURI(t, strconv.FormatUint(seg.Start, 10), v.Suffix, extra)
		for j, i := range idx {
			end := seg.Start + seg.Dur
			if j+1 < len(idx) {
				end = vs[idx[j+1]].DTS
			}
			d := end - vs[i].DTS
			maxDur = max(maxDur, d)
			entries = append(entries, entry{uri: uri, off: off[j], n: n[j], dur: d})
		}
	}
	p, err := m3u8.NewMediaPlaylist(0, uint(max(1, len(entries))))
	if err != nil {
		return nil, err
	}
	defer p.ReleasePlaylist()
	p.Iframe = true
	for _, e := range entries {
		seg := m3u8.GetSegment()
		seg.URI, seg.Duration = e.uri, seconds(e.dur, t.Timescale)
		seg.Offset, seg.Limit = int64(e.off), int64(e.n)
		seg.Map = &m3u8.Map{URI: e.uri, Limit: 2 * packetSize}
		if err := p.AppendSegment(seg); err != nil {
			return nil, err
		}
	}
	return finish(p, syncBefore(t, lo), ceilDiv(maxDur, t.Timescale), 5, o.Keys), nil
}

// cmafKeyframes lists every sync sample of t's segments in [lo, hi) as
// its own one-sample fragment (see CMAFKeyframe).
func cmafKeyframes(v *packager.View, t *media.Track, lo, hi int, o MediaOptions) ([]byte, error) {
	n := 0
	for _, s := range t.Samples[t.Segments[lo].First:t.Segments[hi-1].End] {
		if s.Sync {
			n++
		}
	}
	p, err := m3u8.NewMediaPlaylist(0, uint(max(1, n)))
	if err != nil {
		return nil, err
	}
	defer p.ReleasePlaylist()
	p.Iframe = true
	p.SetDefaultMap(fragmentURI(t, "i", v.Suffix, ""), 0, 0)
	var maxDur uint64
	for k := lo; k < hi; k++ {
		seg := t.Segments[k]
		for i := seg.First; i < seg.End; i++ {
			s := t.Samples[i]
			if !s.Sync {
				continue
			}
			end := seg.Start + seg.Dur
			for j := i + 1; j < seg.End; j++ {
				if t.Samples[j].Sync {
					end = t.Samples[j].DTS
					break
				}
			}
			maxDur = max(maxDur, end-s.DTS)
			uri := fragmentURI(t, strconv.FormatUint(s.DTS, 10), v.Suffix, keyframesArg)
			if err := p.Append(uri, seconds(end-s.DTS, t.Timescale), ""); err != nil {
				return nil, err
			}
		}
	}
	return finish(p, syncBefore(t, lo), ceilDiv(maxDur, t.Timescale), 7, o.Keys), nil
}

// syncBefore counts the sync samples before segment k: the media sequence
// number of an I-frame playlist starting there.
func syncBefore(t *media.Track, k int) int {
	n := 0
	for _, s := range t.Samples[:t.Segments[k].First] {
		if s.Sync {
			n++
		}
	}
	return n
}

func seconds(d uint64, timescale uint32) float64 { return float64(d) / float64(timescale) }

func ceilDiv(d uint64, timescale uint32) uint64 {
	return (d + uint64(timescale) - 1) / uint64(timescale)
}
