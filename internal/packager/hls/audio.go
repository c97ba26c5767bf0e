package hls

import (
	"fmt"

	"github.com/lockstream/lockstream/internal/media"
)

// audioCodec is what the TS muxer needs to know of an audio track.
type audioCodec struct {
	es   esInfo
	adts []byte // 7-byte ADTS header template (frame length unset), nil for AC-3/E-AC-3
}

func newAudioCodec(t *media.Track) (*audioCodec, error) {
	c := &audioCodec{es: esInfo{pid: pidAudio, lang: t.Language}}
	switch t.FourCC {
	case "mp4a":
		h, err := adtsTemplate(t.ASC)
		if err != nil {
			return nil, err
		}
		c.adts = h
		c.es.streamType, c.es.streamID = stAAC, sidAudio
	case "ac-3":
		c.es.streamType, c.es.streamID, c.es.regFormat = stAC3, sidPrivate, "AC-3"
	case "ec-3":
		c.es.streamType, c.es.streamID, c.es.regFormat = stEAC3, sidPrivate, "EAC3"
	default:
		return nil, fmt.Errorf("%w: %s audio in MPEG-TS", media.ErrUnsupported, t.FourCC)
	}
	return c, nil
}

var sampleRates = [...]int{96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350}

// adtsTemplate builds the ADTS header of an AudioSpecificConfig (ISO/IEC
// 14496-3 1.6.2.1): profile from the core object type (HE-AAC v1/v2 are
// signalled implicitly in ADTS, as AAC-LC at the core rate), the sampling
// frequency index and the channel configuration. Configurations that ADTS
// cannot express (object types above 4, explicit frequencies outside the
// table, a program config element) are unsupported.
func adtsTemplate(asc []byte) ([]byte, error) {
	r := bitReader{b: asc}
	aot := r.objectType()
	sfi := r.read(4)
	if sfi == 15 {
		sfi = rateIndex(r.read(24))
	}
	ch := r.read(4)
	if aot == 5 || aot == 29 { // explicit SBR / PS: core type follows
		if r.read(4) == 15 {
			r.read(24)
		}
		aot = r.objectType()
	}
	if r.err {
		return nil, fmt.Errorf("%w: short AudioSpecificConfig", media.ErrMalformed)
	}
	if aot < 1 || aot > 4 {
		return nil, fmt.Errorf("%w: AAC object type %d in ADTS", media.ErrUnsupported, aot)
	}
	if sfi < 0 || sfi >= len(sampleRates) {
		return nil, fmt.Errorf("%w: AAC sampling frequency index %d in ADTS", media.ErrUnsupported, sfi)
	}
	if ch == 0 || ch > 7 {
		return nil, fmt.Errorf("%w: AAC channel configuration %d in ADTS", media.ErrUnsupported, ch)
	}
	return []byte{
		0xff, 0xf1, // syncword, MPEG-4, layer 0, protection_absent
		byte(aot-1)<<6 | byte(sfi)<<2 | byte(ch>>2),
		byte(ch&3) << 6,
		0, 0x1f, 0xfc, // frame length set per frame; buffer fullness 0x7ff
	}, nil
}

func rateIndex(hz int) int {
	for i, r := range sampleRates {
		if r == hz {
			return i
		}
	}
	return -1
}

// putADTS writes the header for a raw frame of n bytes.
func putADTS(dst, tmpl []byte, n int) {
	l := n + 7
	dst[0], dst[1], dst[2] = tmpl[0], tmpl[1], tmpl[2]
	dst[3] = tmpl[3] | byte(l>>11)&3
	dst[4] = byte(l >> 3)
	dst[5] = byte(l&7)<<5 | 0x1f
	dst[6] = 0xfc
}

// bitReader reads big-endian bit fields; reading past the end sets err.
type bitReader struct {
	b   []byte
	pos int
	err bool
}

func (r *bitReader) read(n int) int {
	v := 0
	for range n {
		if r.pos >= 8*len(r.b) {
			r.err = true
			return 0
		}
		v = v<<1 | int(r.b[r.pos/8]>>(7-r.pos%8)&1)
		r.pos++
	}
	return v
}

func (r *bitReader) objectType() int {
	if t := r.read(5); t != 31 {
		return t
	}
	return 32 + r.read(6)
}
