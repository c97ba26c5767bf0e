package hls

import (
	"bytes"
	"fmt"
	"math"
	"strconv"

	"github.com/Eyevinn/hls-m3u8/m3u8"

	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager"
)

// MasterOptions shape a multivariant playlist.
type MasterOptions struct {
	Format Format
	// AudioOnlyFalse (audio-only=false) drops the audio-only variant.
	AudioOnlyFalse bool
	// Keys are rendered as EXT-X-SESSION-KEY tags.
	Keys []Key
	// NoIFrames leaves out the I-frame playlists: under whole-segment
	// AES-128 a byte range or a lone key frame cannot be decrypted on its
	// own.
	NoIFrames bool
}

// audioGroup is one EXT-X-MEDIA TYPE=AUDIO group: the view's audio tracks
// of one codec.
type audioGroup struct {
	id, codec     string
	tracks        []*media.Track
	alts          []*m3u8.Alternative
	peak, average uint64
}

// Master returns the multivariant playlist of the view.
func Master(v *packager.View, o MasterOptions) ([]byte, error) {
	videos, audios := v.Video(), v.Audio()
	if len(videos) == 0 && len(audios) == 0 {
		return nil, fmt.Errorf("%w: no tracks", ErrNotFound)
	}
	p := m3u8.NewMasterPlaylist()
	defer p.ReleasePlaylist()
	p.SetIndependentSegments(true)
	for _, k := range o.Keys {
		p.SessionKeys = append(p.SessionKeys, &m3u8.Key{Method: k.Method, URI: k.URI, IV: k.IV, Keyformat: k.KeyFormat, Keyformatversions: k.KeyFormatVersions})
	}
	audioOnly := !o.AudioOnlyFalse || len(videos) == 0
	ver := uint8(4)
	switch o.Format {
	case TSv3:
		ver = 3
		var a *media.Track
		if len(audios) > 0 {
			a = audios[0]
		}
		for _, t := range videos {
			vp := videoParams(t)
			if a != nil {
				vp.Codecs += "," + a.Codec
				vp.Bandwidth = clamp32(t.MaxBitrate + a.MaxBitrate)
				vp.AverageBandwidth = clamp32(t.Bitrate + a.Bitrate)
			}
			p.Append(playlistURI(t, v.Suffix, audioTrackArg(a)), nil, vp)
		}
		if a != nil && audioOnly {
			p.Append(playlistURI(a, v.Suffix, ""), nil, m3u8.VariantParams{
				Bandwidth: clamp32(a.MaxBitrate), AverageBandwidth: clamp32(a.Bitrate), Codecs: a.Codec,
			})
		}
	default:
		if o.Format == CMAF {
			ver = 7
		}
		groups := audioGroups(v, audios)
		for _, t := range videos {
			if len(groups) == 0 {
				p.Append(playlistURI(t, v.Suffix, ""), nil, videoParams(t))
			}
			for _, g := range groups {
				vp := videoParams(t)
				vp.Codecs += "," + g.codec
				vp.Bandwidth = clamp32(t.MaxBitrate + g.peak)
				vp.AverageBandwidth = clamp32(t.Bitrate + g.average)
				vp.Audio, vp.Alternatives = g.id, g.alts
				p.Append(playlistURI(t, v.Suffix, ""), nil, vp)
			}
		}
		if audioOnly {
			for _, g := range groups {
				p.Append(playlistURI(g.tracks[0], v.Suffix, ""), nil, m3u8.VariantParams{
					Bandwidth: clamp32(g.peak), AverageBandwidth: clamp32(g.average), Codecs: g.codec,
					Audio: g.id, Alternatives: g.alts,
				})
			}
		}
		for _, t := range videos {
			if o.NoIFrames {
				break
			}
			peak, avg := iframeBitrates(t, o.Format)
			p.Append(playlistURI(t, v.Suffix, keyframesArg), nil, m3u8.VariantParams{
				Iframe: true, Bandwidth: clamp32(peak), AverageBandwidth: clamp32(avg), Codecs: t.Codec,
				Resolution: resolution(t),
			})
		}
	}
	p.SetVersion(ver)
	return bytes.Clone(p.Encode().Bytes()), nil
}

func videoParams(t *media.Track) m3u8.VariantParams {
	return m3u8.VariantParams{
		Bandwidth: clamp32(t.MaxBitrate), AverageBandwidth: clamp32(t.Bitrate), Codecs: t.Codec,
		Resolution: resolution(t), FrameRate: math.Round(t.FrameRate()*1000) / 1000,
	}
}

func resolution(t *media.Track) string {
	if t.Width == 0 || t.Height == 0 {
		return ""
	}
	return strconv.Itoa(t.Width) + "x" + strconv.Itoa(t.Height)
}

// audioGroups groups the audio tracks by codec, in view order; the first
// track of a group is its DEFAULT rendition.
func audioGroups(v *packager.View, audios []*media.Track) []*audioGroup {
	var groups []*audioGroup
	byCodec := map[string]*audioGroup{}
	for _, a := range audios {
		g := byCodec[a.Codec]
		if g == nil {
			g = &audioGroup{id: "audio-" + a.Codec, codec: a.Codec}
			byCodec[a.Codec] = g
			groups = append(groups, g)
		}
		alt := &m3u8.Alternative{
			Type: "AUDIO", GroupId: g.id, Name: a.Name, Language: language(a.Language),
			Default: len(g.tracks) == 0, Autoselect: true, URI: playlistURI(a, v.Suffix, ""),
		}
		if a.Channels > 0 {
			alt.Channels = &m3u8.Channels{Amount: a.Channels}
		}
		g.tracks = append(g.tracks, a)
		g.alts = append(g.alts, alt)
		g.peak = max(g.peak, a.MaxBitrate)
		g.average = max(g.average, a.Bitrate)
	}
	return groups
}

// iframeBitrates estimates the peak and average bitrate of t's I-frame
// playlist: each sync sample's delivered bytes (TS: its PES packets and
// the PAT/PMT map; CMAF: its fragment) over the time until the next one.
func iframeBitrates(t *media.Track, f Format) (peak, avg uint64) {
	var bits, total uint64
	last := -1
	flush := func(end uint64) {
		if last < 0 {
			return
		}
		s := t.Samples[last]
		n := uint64(s.Size) + 200 // moof
		if f != CMAF {
			n = uint64(packetsFor(int(s.Size)+19+64, true)+2) * packetSize
		}
		if d := end - s.DTS; d > 0 {
			peak = max(peak, n*8*uint64(t.Timescale)/d)
			total += d
		}
		bits += n * 8
	}
	for i, s := range t.Samples {
		if s.Sync {
			flush(s.DTS)
			last = i
		}
	}
	end := t.Samples[len(t.Samples)-1]
	flush(end.DTS + uint64(end.Dur))
	if total > 0 {
		avg = bits * uint64(t.Timescale) / total
	}
	return peak, avg
}

func clamp32(v uint64) uint32 {
	if v > math.MaxUint32 {
		return math.MaxUint32
	}
	return uint32(v)
}
