package drm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/Eyevinn/mp4ff/bits"
	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/lockstream/lockstream/internal/keys"
)

// MaxPSSHSize bounds one PSSH box read by [ParsePSSH] and [ParsePSSHBoxes].
// Real boxes are well under 16 KiB (a PlayReady Object is at most 15 KB);
// the bound keeps untrusted init data from making us allocate much.
const MaxPSSHSize = 64 << 10

// psshHeaderSize is size, type, version and flags, and the system ID.
const psshHeaderSize = 8 + 4 + 16

// ErrInvalidPSSH means bytes are not a well-formed PSSH box, or a [PSSH]
// value cannot be encoded. Errors wrap it with detail.
var ErrInvalidPSSH = errors.New("drm: invalid pssh box")

// PSSH is a protection-system-specific header box (ISO/IEC 23001-7 §8.1).
//
// Version 0 carries only the system ID and the system's data. Version 1 also
// lists key IDs, which lets a player or the W3C Clear Key CDM know which
// keys a box covers without understanding the data.
type PSSH struct {
	// Version is 0 or 1.
	Version uint8
	// SystemID names the DRM system.
	SystemID SystemID
	// KIDs lists key IDs in UUID byte order; only version 1 carries them.
	KIDs []keys.KID
	// Data is the system-specific payload (for example a PlayReady Object
	// or a WidevinePsshData message); it may be empty.
	Data []byte
}

// Validate reports why p cannot be encoded, or nil.
func (p PSSH) Validate() error {
	switch {
	case p.Version > 1:
		return fmt.Errorf("%w: version %d, want 0 or 1", ErrInvalidPSSH, p.Version)
	case !p.SystemID.Valid():
		return fmt.Errorf("%w: system id has %d bytes, want 16", ErrInvalidPSSH, len(p.SystemID))
	case p.Version == 0 && len(p.KIDs) > 0:
		return fmt.Errorf("%w: version 0 cannot list key ids", ErrInvalidPSSH)
	case p.size() > MaxPSSHSize:
		return fmt.Errorf("%w: %d bytes, more than %d", ErrInvalidPSSH, p.size(), MaxPSSHSize)
	}
	return nil
}

func (p PSSH) size() int {
	n := psshHeaderSize + 4 + len(p.Data)
	if p.Version > 0 {
		n += 4 + 16*len(p.KIDs)
	}
	return n
}

// Box returns p as an mp4ff box, ready to add to a moov or moof. The box
// holds copies, so later changes to p do not affect it.
func (p PSSH) Box() (*mp4.PsshBox, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("build pssh box: %w", err)
	}
	sys := p.SystemID.Bytes()
	b := &mp4.PsshBox{
		Version:  p.Version,
		SystemID: mp4.UUID(sys[:]),
		Data:     bytes.Clone(p.Data),
	}
	for _, kid := range p.KIDs {
		b.KIDs = append(b.KIDs, mp4.UUID(bytes.Clone(kid[:])))
	}
	return b, nil
}

// Marshal returns the bytes of the whole box, header included: the form
// that DASH cenc:pssh, CPIX PSSH and EME "cenc" init data carry (base64
// encoded where the container is text).
func (p PSSH) Marshal() ([]byte, error) {
	b, err := p.Box()
	if err != nil {
		return nil, err
	}
	sw := bits.NewFixedSliceWriter(int(b.Size()))
	if err := b.EncodeSW(sw); err != nil {
		return nil, fmt.Errorf("encode pssh box: %w", err)
	}
	return sw.Bytes(), nil
}

// FromBox converts a decoded mp4ff box, checking what mp4ff does not.
func FromBox(b *mp4.PsshBox) (PSSH, error) {
	if b == nil {
		return PSSH{}, fmt.Errorf("%w: nil box", ErrInvalidPSSH)
	}
	if b.Flags != 0 {
		return PSSH{}, fmt.Errorf("%w: flags 0x%06x, want 0", ErrInvalidPSSH, b.Flags)
	}
	sys, err := SystemIDFromBytes(b.SystemID)
	if err != nil {
		return PSSH{}, fmt.Errorf("%w: %w", ErrInvalidPSSH, err)
	}
	p := PSSH{Version: b.Version, SystemID: sys, Data: bytes.Clone(b.Data)}
	for i, u := range b.KIDs {
		if len(u) != 16 {
			return PSSH{}, fmt.Errorf("%w: key id %d has %d bytes", ErrInvalidPSSH, i, len(u))
		}
		p.KIDs = append(p.KIDs, keys.KID(u))
	}
	if err := p.Validate(); err != nil {
		return PSSH{}, err
	}
	return p, nil
}

// ParsePSSH parses exactly one PSSH box that fills b.
func ParsePSSH(b []byte) (PSSH, error) {
	p, n, err := parseOne(b)
	if err != nil {
		return PSSH{}, fmt.Errorf("parse pssh: %w", err)
	}
	if n != len(b) {
		return PSSH{}, fmt.Errorf("parse pssh: %w: %d bytes after the box", ErrInvalidPSSH, len(b)-n)
	}
	return p, nil
}

// ParsePSSHBoxes parses the concatenated PSSH boxes of EME "cenc" init data
// or of a CPIX/DASH field that holds several. It returns at least one box.
func ParsePSSHBoxes(b []byte) ([]PSSH, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("parse pssh boxes: %w: no data", ErrInvalidPSSH)
	}
	var out []PSSH
	for off := 0; off < len(b); {
		p, n, err := parseOne(b[off:])
		if err != nil {
			return nil, fmt.Errorf("parse pssh box at offset %d: %w", off, err)
		}
		out = append(out, p)
		off += n
	}
	return out, nil
}

// parseOne decodes the box at the start of b and returns its size. mp4ff
// reads a pssh body from whatever reader it is given, so the reader handed
// to it is cut to the declared box size: a box whose KID count or data size
// overruns its own size then fails instead of reading the next box.
func parseOne(b []byte) (PSSH, int, error) {
	if len(b) < psshHeaderSize+4 {
		return PSSH{}, 0, fmt.Errorf("%w: %d bytes, too short for a box", ErrInvalidPSSH, len(b))
	}
	size := binary.BigEndian.Uint32(b)
	if string(b[4:8]) != "pssh" {
		return PSSH{}, 0, fmt.Errorf("%w: box type %q", ErrInvalidPSSH, b[4:8])
	}
	switch {
	case size < psshHeaderSize+4:
		// Also refuses sizes 0 (to end of file) and 1 (64-bit size),
		// which no real pssh box uses.
		return PSSH{}, 0, fmt.Errorf("%w: box size %d too small", ErrInvalidPSSH, size)
	case size > MaxPSSHSize:
		return PSSH{}, 0, fmt.Errorf("%w: box size %d, more than %d", ErrInvalidPSSH, size, MaxPSSHSize)
	case int(size) > len(b):
		return PSSH{}, 0, fmt.Errorf("%w: box size %d, only %d bytes", ErrInvalidPSSH, size, len(b))
	}
	sr := bits.NewFixedSliceReader(b[:size])
	box, err := mp4.DecodeBoxSR(0, sr)
	if err != nil {
		return PSSH{}, 0, fmt.Errorf("%w: %w", ErrInvalidPSSH, err)
	}
	if rest := sr.NrRemainingBytes(); rest != 0 {
		return PSSH{}, 0, fmt.Errorf("%w: %d unread bytes inside the box", ErrInvalidPSSH, rest)
	}
	pb, ok := box.(*mp4.PsshBox)
	if !ok {
		return PSSH{}, 0, fmt.Errorf("%w: decoded a %s box", ErrInvalidPSSH, box.Type())
	}
	p, err := FromBox(pb)
	if err != nil {
		return PSSH{}, 0, err
	}
	return p, int(size), nil
}
