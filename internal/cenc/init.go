package cenc

import (
	"bytes"
	"fmt"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/media"
)

// Params configure the protection of one track.
type Params struct {
	Scheme Scheme
	KID    keys.KID
	// ConstantIV is the cbcs IV written into tenc (see DeriveConstantIV);
	// cenc ignores it.
	ConstantIV [16]byte
	// PSSH boxes are added to the moov as given (Widevine, PlayReady, W3C
	// common); they are shared, not copied.
	PSSH []*mp4.PsshBox
	// Stream names the track's samples; it selects the cenc IVs.
	Stream StreamID
}

// Protection is the encryption setup of one track under one key and
// scheme: its protected CMAF header and what encrypting its fragments
// needs. It is immutable and safe for concurrent use; build it once per
// track and share it.
type Protection struct {
	scheme  Scheme
	kid     keys.KID
	constIV [16]byte
	salt    uint64
	media   mediaKind
	lenSz   int // NAL unit length size (video)
	ps      *paramSets
	init    []byte
}

// mediaKind is what the protect-range logic needs of a codec.
type mediaKind int

const (
	audio mediaKind = iota
	h264
	h265
)

// NewProtection protects init, a single-track CMAF header such as
// cmaf.Init returns. init is decoded afresh, so nothing shared with
// the caller (the media.Track's sample entry in particular) is modified.
// Video must be H.264 (avc1, avc3) or H.265 (hvc1, hev1); any audio sample
// entry can be protected.
func NewProtection(init []byte, p Params) (*Protection, error) {
	if !p.Scheme.valid() {
		return nil, fmt.Errorf("%w: protection scheme %q", media.ErrUnsupported, p.Scheme)
	}
	f, err := mp4.DecodeFile(bytes.NewReader(init))
	if err != nil {
		return nil, fmt.Errorf("%w: decode init segment: %v", media.ErrMalformed, err)
	}
	if f.Init == nil || f.Init.Moov == nil {
		return nil, fmt.Errorf("%w: init segment without moov", media.ErrMalformed)
	}
	pr := &Protection{scheme: p.Scheme, kid: p.KID, constIV: p.ConstantIV, salt: ivSalt(p.KID, p.Stream)}
	if err := pr.describe(f.Init.Moov); err != nil {
		return nil, err
	}
	iv := make([]byte, 8) // cenc: selects 8-byte per-sample IVs
	if p.Scheme == CBCS {
		iv = p.ConstantIV[:]
	}
	if _, err := mp4.InitProtect(f.Init, nil, iv, string(p.Scheme), mp4.UUID(p.KID[:]), p.PSSH); err != nil {
		return nil, fmt.Errorf("%w: protect init segment: %v", media.ErrUnsupported, err)
	}
	var buf bytes.Buffer
	if err := f.Init.Encode(&buf); err != nil {
		return nil, fmt.Errorf("cenc: encode init segment: %w", err)
	}
	pr.init = buf.Bytes()
	return pr, nil
}

// describe checks that moov holds what mp4.InitProtect dereferences (it
// assumes them) and records the codec.
func (p *Protection) describe(moov *mp4.MoovBox) error {
	if len(moov.Traks) != 1 || moov.Trak == nil {
		return fmt.Errorf("%w: init segment with %d tracks (one is protected at a time)", media.ErrUnsupported, len(moov.Traks))
	}
	if moov.Mvex == nil || moov.Mvex.Trex == nil {
		return fmt.Errorf("%w: init segment without trex", media.ErrMalformed)
	}
	t := moov.Trak
	if t.Mdia == nil || t.Mdia.Minf == nil || t.Mdia.Minf.Stbl == nil || t.Mdia.Minf.Stbl.Stsd == nil {
		return fmt.Errorf("%w: init segment without stsd", media.ErrMalformed)
	}
	stsd := t.Mdia.Minf.Stbl.Stsd
	if len(stsd.Children) != 1 {
		return fmt.Errorf("%w: %d sample entries", media.ErrUnsupported, len(stsd.Children))
	}
	switch se := stsd.Children[0].(type) {
	case *mp4.VisualSampleEntryBox:
		switch se.Type() {
		case "avc1", "avc3":
			if se.AvcC == nil {
				return fmt.Errorf("%w: %s without avcC", media.ErrMalformed, se.Type())
			}
			p.media, p.lenSz = h264, 4 // mp4ff decodes only 4-byte NAL lengths
			if p.scheme == CBCS {
				ps, err := avcParamSets(se.AvcC)
				if err != nil {
					return err
				}
				p.ps = ps
			}
		case "hvc1", "hev1":
			if se.HvcC == nil {
				return fmt.Errorf("%w: %s without hvcC", media.ErrMalformed, se.Type())
			}
			p.media, p.lenSz = h265, int(se.HvcC.LengthSizeMinusOne)+1
			if p.lenSz == 3 {
				return fmt.Errorf("%w: 3-byte NAL unit lengths", media.ErrMalformed)
			}
			if p.scheme == CBCS {
				ps, err := hevcParamSets(se.HvcC)
				if err != nil {
					return err
				}
				p.ps = ps
			}
		default:
			return fmt.Errorf("%w: %s video", media.ErrUnsupported, se.Type())
		}
	case *mp4.AudioSampleEntryBox:
		p.media = audio
	default:
		return fmt.Errorf("%w: sample entry %s", media.ErrUnsupported, stsd.Children[0].Type())
	}
	return nil
}

// Init returns the protected init segment. The slice is shared: callers
// must not modify it.
func (p *Protection) Init() []byte { return p.init }

// Scheme returns the protection scheme.
func (p *Protection) Scheme() Scheme { return p.scheme }

// KID returns the key id written into tenc.
func (p *Protection) KID() keys.KID { return p.kid }

// ProtectInit returns init (a single-track CMAF header) protected with
// scheme under kid: the sample entry becomes encv/enca with a sinf (frma,
// schm, schi/tenc), and pssh boxes are appended to the moov. constantIV is
// the 16-byte cbcs IV; cenc ignores it (and may pass nil). init itself is
// not modified.
func ProtectInit(init []byte, scheme Scheme, kid keys.KID, constantIV []byte, pssh []*mp4.PsshBox) ([]byte, error) {
	p := Params{Scheme: scheme, KID: kid, PSSH: pssh}
	if scheme == CBCS {
		if len(constantIV) != 16 {
			return nil, fmt.Errorf("%w: cbcs constant IV of %d bytes, want 16", media.ErrUnsupported, len(constantIV))
		}
		copy(p.ConstantIV[:], constantIV)
	}
	pr, err := NewProtection(init, p)
	if err != nil {
		return nil, err
	}
	return pr.Init(), nil
}
