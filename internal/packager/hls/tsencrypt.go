package hls

import (
	"fmt"
	"slices"

	"github.com/lockstream/lockstream/internal/cenc"
	"github.com/lockstream/lockstream/internal/media"
)

// TSMethod is how a TS segment is encrypted: the EXT-X-KEY METHOD of its
// media playlist.
type TSMethod int

// TS encryption methods.
const (
	// TSClear leaves the segment clear.
	TSClear TSMethod = iota
	// TSAES128 encrypts the whole segment with AES-128-CBC and PKCS#7
	// padding (METHOD=AES-128, AMS envelope encryption).
	TSAES128
	// TSSampleAES encrypts H.264 slices and AAC frames inside the stream
	// (METHOD=SAMPLE-AES, FairPlay), as Apple's "MPEG-2 Stream Encryption
	// Format for HTTP Live Streaming" defines; PAT, PMT and PES headers
	// stay clear.
	TSSampleAES
)

// TSEncryption encrypts TS segments.
type TSEncryption struct {
	Method TSMethod
	// Cipher holds the content key.
	Cipher *cenc.Cipher
	// IV is the EXT-X-KEY IV attribute. Nil means the segment's media
	// sequence number, its index k, which is what players use when the
	// playlist gives no IV (RFC 8216 §5.2); playlists should still emit it.
	IV *[16]byte
}

// TSOptions are the optional settings of a TS segment.
type TSOptions struct {
	// Encryption encrypts the segment unless its Method is TSClear.
	Encryption TSEncryption
}

// SAMPLE-AES signalling in the PMT (Apple's format, §3): own stream types,
// a private_data_indicator_descriptor per stream and, for audio, the
// audio setup information in a registration descriptor.
const (
	stH264SampleAES = 0xdb
	stAACSampleAES  = 0xcf

	tagRegistration         = 0x05
	tagPrivateDataIndicator = 0x0f
)

// iv returns the IV of segment k.
func (e *TSEncryption) iv(k int) [16]byte {
	if e.IV != nil {
		return *e.IV
	}
	return cenc.SequenceIV(uint64(k))
}

// check refuses options that cannot encrypt the segment.
func (e *TSEncryption) check(m *tsMux) error {
	switch e.Method {
	case TSClear:
		return nil
	case TSAES128, TSSampleAES:
	default:
		return fmt.Errorf("%w: TS encryption method %d", media.ErrUnsupported, e.Method)
	}
	if e.Cipher == nil {
		return fmt.Errorf("hls: TS encryption without a key")
	}
	if e.Method != TSSampleAES {
		return nil
	}
	// Apple's format covers H.264, AAC, AC-3 and E-AC-3; the AC-3 setup
	// information is not written yet.
	if m.video != nil && m.vc.hevc {
		return fmt.Errorf("%w: SAMPLE-AES in MPEG-TS is defined for H.264, not H.265 (use CMAF with cbcs)", media.ErrUnsupported)
	}
	if m.audio != nil && m.ac.adts == nil {
		return fmt.Errorf("%w: SAMPLE-AES for %s audio in MPEG-TS", media.ErrUnsupported, m.audio.FourCC)
	}
	return nil
}

// sampleAESStreams switches the PMT entries of m to the SAMPLE-AES stream
// types and descriptors.
func (m *tsMux) sampleAESStreams(es []esInfo) ([]esInfo, error) {
	for i := range es {
		switch es[i].streamType {
		case stH264:
			es[i].streamType = stH264SampleAES
			es[i].desc = privateDataIndicator("zavc")
		case stAAC:
			setup, err := aacSetupInformation(m.audio.ASC)
			if err != nil {
				return nil, err
			}
			es[i].streamType = stAACSampleAES
			d := privateDataIndicator("aacd")
			d = append(d, tagRegistration, byte(4+len(setup)))
			d = append(d, "apad"...)
			es[i].desc = append(d, setup...)
		}
	}
	return es, nil
}

func privateDataIndicator(v string) []byte {
	return append([]byte{tagPrivateDataIndicator, 4}, v...)
}

// aacSetupInformation is the audio_setup_information of an AAC stream:
// audio_type ('zaac' AAC-LC, 'zach' HE-AAC, 'zacp' HE-AAC v2, from the
// AudioSpecificConfig's object type), priming (unknown: 0), version 1,
// then the AudioSpecificConfig.
func aacSetupInformation(asc []byte) ([]byte, error) {
	if len(asc) == 0 || len(asc) > 0xff-4-8 {
		return nil, fmt.Errorf("%w: AudioSpecificConfig of %d bytes", media.ErrUnsupported, len(asc))
	}
	var typ string
	switch aot := asc[0] >> 3; aot {
	case 2:
		typ = "zaac"
	case 5:
		typ = "zach"
	case 29:
		typ = "zacp"
	default:
		return nil, fmt.Errorf("%w: SAMPLE-AES for AAC object type %d", media.ErrUnsupported, aot)
	}
	b := append([]byte(typ), 0, 0, 1, byte(len(asc)))
	return append(b, asc...), nil
}

// sampleAESVideo returns a copy of d whose slice NAL units are SAMPLE-AES
// encrypted. Re-applied emulation prevention can change NAL unit sizes,
// so the copy has its own sample sizes (4-byte NAL unit lengths, whatever
// d's are) and the segment is planned from them; its bytes live in a
// pooled buffer that release returns.
func sampleAESVideo(d *media.SegmentData, lenSz int, c *cenc.Cipher, iv *[16]byte) (*media.SegmentData, func(), error) {
	bp := readBufs.Get().(*[]byte)
	// Room for a few emulation prevention bytes, so that append rarely
	// has to grow the buffer.
	out := slices.Grow((*bp)[:0], len(d.Data)+len(d.Data)/256+64)
	release := func() {
		if cap(*bp) <= maxPooled {
			readBufs.Put(bp)
		}
	}
	e := &media.SegmentData{Track: d.Track, Index: d.Index, Seg: d.Seg,
		Samples: make([]media.Sample, len(d.Samples)), Pos: make([]int, len(d.Samples))}
	copy(e.Samples, d.Samples)
	for i := range d.Samples {
		e.Pos[i] = len(out)
		data := d.SampleBytes(i)
		for pos := 0; pos < len(data); {
			if len(data)-pos < lenSz {
				release()
				return nil, nil, fmt.Errorf("%w: NAL unit length field runs past the sample", media.ErrMalformed)
			}
			n := 0
			for _, b := range data[pos : pos+lenSz] {
				n = n<<8 | int(b)
			}
			pos += lenSz
			if n > len(data)-pos {
				release()
				return nil, nil, fmt.Errorf("%w: NAL unit of %d bytes in a sample with %d left", media.ErrMalformed, n, len(data)-pos)
			}
			at := len(out)
			out = append(out, 0, 0, 0, 0)
			out = c.AppendSampleAESNAL(out, data[pos:pos+n], iv)
			l := len(out) - at - 4
			out[at], out[at+1], out[at+2], out[at+3] = byte(l>>24), byte(l>>16), byte(l>>8), byte(l)
			pos += n
		}
		e.Samples[i].Size = uint32(len(out) - e.Pos[i])
	}
	*bp = out
	e.Data = out
	return e, release, nil
}
