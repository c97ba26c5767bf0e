package ksm

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
)

// Errors of SPC parsing; every one is the client's fault (4xx).
var (
	// ErrMalformed means the SPC's structure is broken.
	ErrMalformed = errors.New("ksm: malformed SPC")
	// ErrVersion means an SPC version this server does not read.
	ErrVersion = errors.New("ksm: unsupported SPC version")
	// ErrCertificate means the SPC was made for another FPS certificate
	// (hash mismatch, or its SPCK does not decrypt with our key).
	ErrCertificate = errors.New("ksm: SPC is not for this FPS certificate")
	// ErrIntegrity means [SK..R1] failed its integrity check: a tampered
	// SPC, or a DASk from the wrong ASk.
	ErrIntegrity = errors.New("ksm: SPC integrity check failed")
	// ErrTooLarge means the SPC is over MaxSPCSize.
	ErrTooLarge = errors.New("ksm: SPC too large")
)

// Sizes of the SPC v1/v2 container.
const (
	// MaxSPCSize bounds an SPC; real ones are 2–4 KiB.
	MaxSPCSize = 32 << 10

	spcV1WrappedKey = 128 // RSA-1024 OAEP (SHA-1)
	spcV2WrappedKey = 256 // RSA-2048 OAEP (SHA-256)
	certHashSize    = 20
	skr1Size        = 112 // IV 16 + encrypted SK 16, HU 20, R1 44, integrity 16
	r2Size          = 21
	r1Size          = 44
	huSize          = 20
	assetIDMin      = 2
	assetIDMax      = 200
)

// Container is the clear part of an SPC.
//
//	v1: version u32 | reserved u32 | IV [16] | SPCK wrapped [128] | cert hash [20] | payload length u32 | payload
//	v2: the same with a 256-byte wrapped SPCK (2048-bit FPS certificates)
//
// Version 3 (FPS SDK 26 transport with integrity tag) derives its keys
// from constants shipped only in Apple's SDK; it is refused with
// ErrVersion (a client offering it also offers v1/v2).
type Container struct {
	Version    uint32
	IV         [16]byte
	WrappedKey []byte
	CertHash   [certHashSize]byte
	Payload    []byte
}

// ParseContainer reads the clear part of an SPC. Payload aliases b.
func ParseContainer(b []byte) (*Container, error) {
	if len(b) > MaxSPCSize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(b), MaxSPCSize)
	}
	if len(b) < 8 {
		return nil, fmt.Errorf("%w: %d bytes", ErrMalformed, len(b))
	}
	c := &Container{Version: binary.BigEndian.Uint32(b)}
	var wrapped int
	switch c.Version {
	case 1:
		wrapped = spcV1WrappedKey
	case 2:
		wrapped = spcV2WrappedKey
	default:
		return nil, fmt.Errorf("%w: version %d (this server reads 1 and 2)", ErrVersion, c.Version)
	}
	head := 8 + 16 + wrapped + certHashSize + 4
	if len(b) < head {
		return nil, fmt.Errorf("%w: %d bytes, header alone is %d", ErrMalformed, len(b), head)
	}
	off := 8
	copy(c.IV[:], b[off:])
	off += 16
	c.WrappedKey = b[off : off+wrapped]
	off += wrapped
	copy(c.CertHash[:], b[off:])
	off += certHashSize
	n := uint64(binary.BigEndian.Uint32(b[off:]))
	off += 4
	if n != uint64(len(b)-off) {
		return nil, fmt.Errorf("%w: payload length %d, %d bytes follow", ErrMalformed, n, len(b)-off)
	}
	if n == 0 || n%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w: payload of %d bytes is not whole AES blocks", ErrMalformed, n)
	}
	c.Payload = b[off:]
	return c, nil
}

// Open unwraps the SPCK with the FPS private key and decrypts the
// payload. The result is a fresh slice.
func (c *Container) Open(priv *rsa.PrivateKey) ([]byte, error) {
	var h hash.Hash
	switch c.Version {
	case 1:
		h = sha1.New()
	default:
		h = sha256.New()
	}
	if priv.Size() != len(c.WrappedKey) {
		return nil, fmt.Errorf("%w: SPC v%d wraps its key for a %d-bit certificate, ours is %d-bit",
			ErrCertificate, c.Version, len(c.WrappedKey)*8, priv.Size()*8)
	}
	spck, err := rsa.DecryptOAEP(h, nil, priv, c.WrappedKey, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: unwrap SPCK: %w", ErrCertificate, err)
	}
	defer clear(spck)
	if len(spck) != 16 {
		return nil, fmt.Errorf("%w: SPCK of %d bytes", ErrMalformed, len(spck))
	}
	blk, err := aes.NewCipher(spck)
	if err != nil {
		return nil, fmt.Errorf("spck cipher: %w", err)
	}
	out := make([]byte, len(c.Payload))
	cipher.NewCBCDecrypter(blk, c.IV[:]).CryptBlocks(out, c.Payload)
	return out, nil
}

// Data is the parsed, decrypted SPC payload.
type Data struct {
	// SKR1 is the IV and the DASk-encrypted [SK..R1] block.
	SKR1          []byte
	SKR1Integrity []byte
	R2            []byte
	AntiReplay    []byte
	AssetID       []byte
	// TransactionID is 8 bytes when present.
	TransactionID []byte
	// ProtocolUsed is 0 when the SPC did not say; Supported lists the
	// versions the client offered.
	ProtocolUsed      uint32
	ProtocolSupported []uint32
	// ReturnTags are the tags the client wants echoed in the CKC.
	ReturnTags []uint64
	// StreamingIndicator is present for AirPlay/streaming to other
	// devices.
	StreamingIndicator []byte
	// PlaybackState is set when the SPC had a media playback state TLLV:
	// only then may the CKC carry a key duration.
	PlaybackState *PlaybackState
	// Capabilities are the low 64 bits of the capabilities TLLV.
	Capabilities uint64
	// TLLVs are every block, in order, for echoing.
	TLLVs []TLLV
}

// PlaybackState is the media playback state TLLV.
type PlaybackState struct {
	CreationDate uint32
	State        uint32
	SessionID    uint64
}

// ParseData parses a decrypted SPC payload: every TLLV bounded, each key
// TLLV at most once and of its exact size, the required ones present,
// every requested return tag present.
func ParseData(b []byte) (*Data, error) {
	ts, err := splitTLLVs(b)
	if err != nil {
		return nil, err
	}
	d := &Data{TLLVs: ts}
	seen := make(map[uint64]bool, len(ts))
	for _, t := range ts {
		if seen[t.Tag] {
			return nil, fmt.Errorf("%w: TLLV %#016x repeated", ErrMalformed, t.Tag)
		}
		seen[t.Tag] = true
		v := t.Value
		exact := func(n int) error {
			if len(v) != n {
				return fmt.Errorf("%w: TLLV %#016x holds %d bytes, want %d", ErrMalformed, t.Tag, len(v), n)
			}
			return nil
		}
		switch t.Tag {
		case TagSessionKeyR1:
			err, d.SKR1 = exact(skr1Size), v
		case TagSessionKeyR1Integrity:
			err, d.SKR1Integrity = exact(16), v
		case TagR2:
			err, d.R2 = exact(r2Size), v
		case TagAntiReplaySeed:
			err, d.AntiReplay = exact(16), v
		case TagAssetID:
			if len(v) < assetIDMin || len(v) > assetIDMax {
				err = fmt.Errorf("%w: asset id of %d bytes (%d–%d)", ErrMalformed, len(v), assetIDMin, assetIDMax)
			}
			d.AssetID = v
		case TagTransactionID:
			err, d.TransactionID = exact(8), v
		case TagProtocolVersionUsed:
			if err = exact(4); err == nil {
				d.ProtocolUsed = binary.BigEndian.Uint32(v)
			}
		case TagProtocolVersions:
			if len(v)%4 != 0 || len(v) == 0 || len(v) > 400 {
				err = fmt.Errorf("%w: protocol versions of %d bytes", ErrMalformed, len(v))
				break
			}
			for i := 0; i < len(v); i += 4 {
				d.ProtocolSupported = append(d.ProtocolSupported, binary.BigEndian.Uint32(v[i:]))
			}
		case TagReturnRequest:
			if len(v)%8 != 0 || len(v) > 8*maxTLLVs {
				err = fmt.Errorf("%w: return request of %d bytes", ErrMalformed, len(v))
				break
			}
			for i := 0; i < len(v); i += 8 {
				d.ReturnTags = append(d.ReturnTags, binary.BigEndian.Uint64(v[i:]))
			}
		case TagStreamingIndicator:
			err, d.StreamingIndicator = exact(8), v
		case TagMediaPlaybackState:
			// creation date u32, state u32, session id u64 (older
			// descriptions: u32)
			if len(v) != 16 && len(v) != 12 {
				err = fmt.Errorf("%w: media playback state of %d bytes", ErrMalformed, len(v))
				break
			}
			ps := &PlaybackState{CreationDate: binary.BigEndian.Uint32(v), State: binary.BigEndian.Uint32(v[4:])}
			if len(v) == 16 {
				ps.SessionID = binary.BigEndian.Uint64(v[8:])
			} else {
				ps.SessionID = uint64(binary.BigEndian.Uint32(v[8:]))
			}
			d.PlaybackState = ps
		case TagCapabilities:
			if err = exact(16); err == nil {
				d.Capabilities = binary.BigEndian.Uint64(v[8:])
			}
		}
		if err != nil {
			return nil, err
		}
	}
	for _, req := range []struct {
		tag  uint64
		name string
	}{{TagSessionKeyR1, "[SK..R1]"}, {TagSessionKeyR1Integrity, "[SK..R1] integrity"}, {TagR2, "R2"},
		{TagAntiReplaySeed, "anti-replay seed"}, {TagAssetID, "asset id"}} {
		if !seen[req.tag] {
			return nil, fmt.Errorf("%w: no %s TLLV", ErrMalformed, req.name)
		}
	}
	for _, tag := range d.ReturnTags {
		if !seen[tag] {
			return nil, fmt.Errorf("%w: return request names TLLV %#016x, which the SPC lacks", ErrMalformed, tag)
		}
	}
	return d, nil
}

// Session is the decrypted [SK..R1] block.
type Session struct {
	SK [16]byte
	HU [huSize]byte
	R1 [r1Size]byte
}

// OpenSession decrypts [SK..R1] with DASk and checks its integrity bytes
// against the SPC's integrity TLLV.
func (d *Data) OpenSession(dask [16]byte) (*Session, error) {
	blk, err := aes.NewCipher(dask[:])
	if err != nil {
		return nil, fmt.Errorf("dask cipher: %w", err)
	}
	plain := make([]byte, skr1Size-16)
	defer clear(plain)
	cipher.NewCBCDecrypter(blk, d.SKR1[:16]).CryptBlocks(plain, d.SKR1[16:])
	if subtleEqual(plain[80:96], d.SKR1Integrity) != 1 {
		return nil, ErrIntegrity
	}
	s := &Session{}
	copy(s.SK[:], plain[0:16])
	copy(s.HU[:], plain[16:36])
	copy(s.R1[:], plain[36:80])
	return s, nil
}
