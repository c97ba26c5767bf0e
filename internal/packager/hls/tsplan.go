package hls

import (
	"time"

	"github.com/lockstream/lockstream/internal/media"
)

// Audio PES grouping: several AAC frames share one PES (and its header and
// stuffing) while the group lasts at most maxAudioPES and its payload fits
// the 16-bit PES length. PCRs ride on every PES of the PCR PID, so the
// bound also keeps PCRs of audio-only segments within 100 ms.
const (
	maxAudioPES      = 100 * time.Millisecond
	maxAudioPESBytes = 60000
)

// tsUnit is one PES of a segment: a video access unit or a group of audio
// frames, samples [first, end) of its stream's segment.
type tsUnit struct {
	audio       bool
	first, end  int
	pts, dts    uint64 // 90 kHz with tsOffset, not yet wrapped to 33 bits
	withDTS     bool
	size        int // PES bytes, header included
	packets     int
	pcr         bool
	rai         bool
	off         int // byte offset in the segment
	payloadSize int // PES payload (access unit or ADTS frames)
}

// tsLayout is the packet layout of one segment: PAT, PMT, then the PES
// units in decode order. It depends on sample metadata only, so playlists
// can compute byte ranges without reading media.
type tsLayout struct {
	units []tsUnit
	size  int
}

// tsStreams is what a segment multiplexes: the samples of a video segment,
// of an audio segment, or both.
type tsStreams struct {
	video *media.Track
	vs    []media.Sample
	audio *media.Track
	as    []media.Sample
	// auSize returns the Annex B size of video sample i.
	auSize func(i int) (int, error)
	// audioHeader is the per-frame header size (7 for ADTS, 0 otherwise).
	audioHeader int
}

// to90k converts a signed time of t (track timescale) to 90 kHz, offset by
// tsOffset seconds.
func to90k(t *media.Track, v int64) uint64 {
	v += tsOffset * int64(t.Timescale)
	if v < 0 {
		v = 0
	}
	u, ts := uint64(v), uint64(t.Timescale)
	return u/ts*90000 + u%ts*90000/ts
}

// videoTimes returns the TS DTS and PTS of a video sample: the decode time
// moved back by the edit shift that media folded into the composition
// offsets (so that PTS ≥ DTS, as MPEG-TS requires), and the presentation
// time the fMP4 outputs use, so that TS and CMAF renditions align.
func videoTimes(t *media.Track, s media.Sample) (pts, dts uint64) {
	pts = to90k(t, int64(s.DTS)+int64(s.CTO))
	dts = to90k(t, int64(s.DTS)-int64(t.EditShift))
	return pts, min(dts, pts)
}

// plan lays out one segment.
func plan(in tsStreams) (*tsLayout, error) {
	l := &tsLayout{}
	var vu, au []tsUnit
	if in.video != nil {
		vu = make([]tsUnit, 0, len(in.vs))
		for i, s := range in.vs {
			n, err := in.auSize(i)
			if err != nil {
				return nil, err
			}
			pts, dts := videoTimes(in.video, s)
			u := tsUnit{first: i, end: i + 1, pts: pts, dts: dts, withDTS: pts != dts, pcr: true, rai: s.Sync, payloadSize: n}
			u.size = pesHeaderLen(u.withDTS) + n
			vu = append(vu, u)
		}
	}
	if in.audio != nil {
		t := in.audio
		maxDur := uint64(maxAudioPES) * uint64(t.Timescale) / uint64(time.Second)
		for i := 0; i < len(in.as); {
			s := in.as[i]
			payload := in.audioHeader + int(s.Size)
			j := i + 1
			for ; j < len(in.as); j++ {
				n := in.audioHeader + int(in.as[j].Size)
				if in.as[j].DTS+uint64(in.as[j].Dur)-s.DTS > maxDur || payload+n > maxAudioPESBytes {
					break
				}
				payload += n
			}
			pts := to90k(t, int64(s.DTS)+int64(s.CTO))
			u := tsUnit{audio: true, first: i, end: j, pts: pts, dts: pts, pcr: in.video == nil, payloadSize: payload}
			u.size = pesHeaderLen(false) + payload
			au = append(au, u)
			i = j
		}
	}
	// Interleave by decode time, video first on ties.
	l.units = make([]tsUnit, 0, len(vu)+len(au))
	for i, j := 0, 0; i < len(vu) || j < len(au); {
		if j == len(au) || (i < len(vu) && vu[i].dts <= au[j].dts) {
			l.units = append(l.units, vu[i])
			i++
		} else {
			l.units = append(l.units, au[j])
			j++
		}
	}
	// Each stream's packets sum to a multiple of 16, so that every segment
	// starts with continuity counter 0 and consecutive segments continue
	// each other: the last PES of each stream is spread over extra
	// packets (each still carrying payload).
	count := [2]int{}
	last := [2]int{-1, -1}
	for i := range l.units {
		u := &l.units[i]
		u.packets = packetsFor(u.size, u.pcr)
		s := 0
		if u.audio {
			s = 1
		}
		count[s] += u.packets
		last[s] = i
	}
	for s := range 2 {
		if last[s] < 0 {
			continue
		}
		if r := count[s] % 16; r != 0 {
			u := &l.units[last[s]]
			if extra := 16 - r; u.size >= u.packets+extra {
				u.packets += extra
			}
		}
	}
	off := 2 * packetSize // PAT, PMT
	for i := range l.units {
		l.units[i].off = off
		off += l.units[i].packets * packetSize
	}
	l.size = off
	return l, nil
}

// keyframeRanges returns, for each sync video sample of a segment, its
// index in vs and the byte range of its PES packets.
func (l *tsLayout) keyframeRanges() (idx []int, off, n []int) {
	for _, u := range l.units {
		if !u.audio && u.rai {
			idx = append(idx, u.first)
			off = append(off, u.off)
			n = append(n, u.packets*packetSize)
		}
	}
	return idx, off, n
}
