package hls

import (
	"fmt"

	"github.com/lockstream/lockstream/internal/media"
)

// aud and parameter-set overhead of H.264 / HEVC access units.
var (
	audH264 = []byte{0, 0, 0, 1, 0x09, 0xf0}
	audHEVC = []byte{0, 0, 0, 1, 0x46, 0x01, 0x50}
)

// videoCodec is what the TS muxer needs to know of a video track.
type videoCodec struct {
	hevc   bool
	aud    []byte
	params []byte // start-code prefixed parameter sets, inserted before sync samples
	lenSz  int
}

func newVideoCodec(t *media.Track) (*videoCodec, error) {
	c := &videoCodec{lenSz: t.NALULengthSize}
	switch t.FourCC {
	case "avc1", "avc3":
		c.aud = audH264
	case "hvc1", "hev1":
		c.hevc, c.aud = true, audHEVC
	default:
		return nil, fmt.Errorf("%w: %s video in MPEG-TS", media.ErrUnsupported, t.FourCC)
	}
	if c.lenSz != 1 && c.lenSz != 2 && c.lenSz != 4 {
		return nil, fmt.Errorf("%w: NAL unit length size %d", media.ErrUnsupported, c.lenSz)
	}
	for _, ps := range t.ParamSets {
		c.params = append(c.params, 0, 0, 0, 1)
		c.params = append(c.params, ps...)
	}
	return c, nil
}

// predictedSize is the Annex B size of sample s when NAL unit lengths are
// 4 bytes (start codes replace them one for one): AUD + parameter sets
// before sync samples + the sample. In-band AUDs that conversion drops are
// made up by trailing zero bytes (Annex B trailing_zero_8bits), so the
// size, and with it the whole packet layout, follows from the sample table.
func (c *videoCodec) predictedSize(s media.Sample) int {
	n := len(c.aud) + int(s.Size)
	if s.Sync {
		n += len(c.params)
	}
	return n
}

// metadataSizes returns an auSize function for plan that needs no media
// bytes; it fails for length sizes other than 4, whose Annex B size
// depends on the NAL unit count.
func (c *videoCodec) metadataSizes(vs []media.Sample) func(int) (int, error) {
	return func(i int) (int, error) {
		if c.lenSz != 4 {
			return 0, fmt.Errorf("%w: byte ranges need 4-byte NAL unit lengths (have %d)", media.ErrUnsupported, c.lenSz)
		}
		return c.predictedSize(vs[i]), nil
	}
}

// isAUD reports whether nal is an access unit delimiter.
func (c *videoCodec) isAUD(nal []byte) bool {
	if c.hevc {
		return (nal[0]>>1)&0x3f == 35
	}
	return nal[0]&0x1f == 9
}

// annexBSize is the converted size of sample data (any length size): what
// writeAnnexB produces before padding.
func (c *videoCodec) annexBSize(data []byte, sync bool) (int, error) {
	n := len(c.aud)
	if sync {
		n += len(c.params)
	}
	err := c.walk(data, func(nal []byte) { n += 4 + len(nal) })
	return n, err
}

// walk calls f for every NAL unit of a length-prefixed sample except AUDs.
func (c *videoCodec) walk(data []byte, f func(nal []byte)) error {
	for pos := 0; pos < len(data); {
		if pos+c.lenSz > len(data) {
			return fmt.Errorf("%w: NAL unit length field runs past the sample", media.ErrMalformed)
		}
		var n int
		for _, b := range data[pos : pos+c.lenSz] {
			n = n<<8 | int(b)
		}
		pos += c.lenSz
		if n > len(data)-pos {
			return fmt.Errorf("%w: NAL unit of %d bytes in a sample with %d left", media.ErrMalformed, n, len(data)-pos)
		}
		if n > 0 && !c.isAUD(data[pos:pos+n]) {
			f(data[pos : pos+n])
		}
		pos += n
	}
	return nil
}

// writeAU writes the access unit of one sample, n bytes as planned: AUD,
// parameter sets before sync samples, the NAL units with start codes,
// then zero padding.
func (c *videoCodec) writeAU(w *pesWriter, data []byte, sync bool, n int) error {
	start := w.left + w.room // PES bytes still to write
	w.write(c.aud)
	if sync {
		w.write(c.params)
	}
	var err error
	sc := [4]byte{0, 0, 0, 1}
	werr := c.walk(data, func(nal []byte) {
		if err != nil {
			return
		}
		if start-(w.left+w.room)+4+len(nal) > n {
			err = fmt.Errorf("%w: access unit exceeds its planned size", media.ErrMalformed)
			return
		}
		w.write(sc[:])
		w.write(nal)
	})
	if werr != nil {
		return werr
	}
	if err != nil {
		return err
	}
	w.zero(n - (start - (w.left + w.room)))
	return nil
}
