package ksm

import (
	"encoding/binary"
	"fmt"
)

// TLLV tags of the SPC and CKC payloads, from the public descriptions of
// the FairPlay Streaming server protocol (the open-source KSM ports and
// Apple's published reference server). They are protocol constants, not
// secrets.
const (
	TagSessionKeyR1          uint64 = 0x3d1a10b8bffac2ec // [SK..R1], encrypted with DASk
	TagSessionKeyR1Integrity uint64 = 0xb349d4809e910687
	TagAntiReplaySeed        uint64 = 0x89c90f12204106b2
	TagR2                    uint64 = 0x71b5595ac1521133
	TagReturnRequest         uint64 = 0x19f9d4e5ab7609cb
	TagAssetID               uint64 = 0x1bf7f53f5d5d5a1f
	TagTransactionID         uint64 = 0x47aa7ad3440577de
	TagProtocolVersionUsed   uint64 = 0x5d81bcbcc7f61703
	TagProtocolVersions      uint64 = 0x67b8fb79ecce1a13
	TagStreamingIndicator    uint64 = 0xabb0256a31843974
	TagMediaPlaybackState    uint64 = 0xeb8efdf2b25ab3a0
	TagCapabilities          uint64 = 0x9c02af3253c07fb2
	TagOfflineSync           uint64 = 0x77966de1dc1083ad
	TagSupportedKeyFormat    uint64 = 0x8d8e84fa6cc35eb7
	TagSecurityLevelReport   uint64 = 0xb18ee16ea50f6c02
	TagDeviceInfo            uint64 = 0xd43fc6abc596aae7
	TagDeviceIdentity        uint64 = 0x94c17cd676c69b59
	TagKDLVersionReport      uint64 = 0x70eca6573388e329

	// CKC payload tags.
	TagEncryptedCK     uint64 = 0x58b38165af0e3d5a
	TagR1              uint64 = 0xea74c4645d5efee9
	TagKeyDuration     uint64 = 0x47acf6a418cd091a
	TagOfflineKey      uint64 = 0x6375d9727060218c
	TagHDCPInformation uint64 = 0x2e52f1530d8ddb4a
)

// Key duration types of the key-duration TLLV.
const (
	KeyTypeLease                  uint32 = 0x1a4bde7e
	KeyTypeRental                 uint32 = 0x3dfe45a0
	KeyTypeLeaseAndRental         uint32 = 0x27b59bde
	KeyTypePersistence            uint32 = 0x3df2d9fb // persistable, unlimited
	KeyTypePersistenceAndDuration uint32 = 0x18f06048 // persistable, limited by the rental duration

	// keyDurationReserved is the fixed value of the TLLV's last field.
	keyDurationReserved uint32 = 0x86d34a3a
	// NoLease is the lease duration meaning "no lease".
	NoLease uint32 = 0xFFFFFFFF
)

// Capability flags (the low 64 bits of the capabilities TLLV).
const (
	CapHDCPType1      uint64 = 1 << 0
	CapOfflineKey     uint64 = 1 << 1 // dual expiry (offline key TLLV)
	CapCheckIn        uint64 = 1 << 2
	CapOfflineKeyV2   uint64 = 1 << 3
	CapSecurityLevelB uint64 = 1 << 4
	CapSecurityLevelM uint64 = 1 << 5
)

// Media playback states.
const (
	PlaybackFirstKeyRequired   uint32 = 0xf4dee5a2
	PlaybackPlayingKeyRequired uint32 = 0x4f834330
	PlaybackPlayingNoKey       uint32 = 0xa5d6739e
)

const tllvHeader = 16 // tag u64, block length u32, value length u32

// TLLV is one tag-length-length-value block. Value aliases the decrypted
// payload.
type TLLV struct {
	Tag   uint64
	Value []byte
}

// splitTLLVs cuts a decrypted payload into its blocks. Every length is
// checked against what remains, so no input can make it read out of
// bounds or loop.
func splitTLLVs(b []byte) ([]TLLV, error) {
	var out []TLLV
	for off := 0; off < len(b); {
		if len(b)-off < tllvHeader {
			return nil, fmt.Errorf("%w: %d trailing bytes after the last TLLV", ErrMalformed, len(b)-off)
		}
		tag := binary.BigEndian.Uint64(b[off:])
		block := uint64(binary.BigEndian.Uint32(b[off+8:]))
		value := uint64(binary.BigEndian.Uint32(b[off+12:]))
		off += tllvHeader
		rest := uint64(len(b) - off)
		if value > block || block > rest {
			return nil, fmt.Errorf("%w: TLLV %#016x: value %d, block %d, %d bytes left", ErrMalformed, tag, value, block, rest)
		}
		out = append(out, TLLV{Tag: tag, Value: b[off : off+int(value)]})
		off += int(block)
		if len(out) > maxTLLVs {
			return nil, fmt.Errorf("%w: more than %d TLLVs", ErrMalformed, maxTLLVs)
		}
	}
	return out, nil
}

// maxTLLVs bounds the blocks of one payload; real SPCs have about 15.
const maxTLLVs = 256

// appendTLLV appends a block whose value is padded with pad bytes (taken
// from rnd) to a multiple of 16, plus 16 more, as Apple's servers write
// them.
func appendTLLV(dst []byte, tag uint64, value, pad []byte) []byte {
	n := len(value)
	padLen := 32 - n%16
	dst = binary.BigEndian.AppendUint64(dst, tag)
	dst = binary.BigEndian.AppendUint32(dst, uint32(n+padLen))
	dst = binary.BigEndian.AppendUint32(dst, uint32(n))
	dst = append(dst, value...)
	return append(dst, pad[:padLen]...)
}
