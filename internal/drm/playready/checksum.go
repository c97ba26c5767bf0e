package playready

import (
	"crypto/aes"

	"github.com/lockstream/lockstream/internal/keys"
)

// ChecksumSize is the length of an AESCTR key checksum.
const ChecksumSize = 8

// Checksum returns the AESCTR CHECKSUM of a header key ID: the first 8
// bytes of AES-128-ECB(key, kid in little-endian GUID order). It lets a
// client notice that a license's key does not belong to the header before
// decrypting garbage. AESCBC (cbcs) headers carry no checksum.
func Checksum(kid keys.KID, key keys.Key) []byte {
	block, err := aes.NewCipher(key[:])
	if err != nil {
		panic("playready: aes.NewCipher with a 16-byte key: " + err.Error()) // cannot happen
	}
	le := kid.PlayReadyBytes()
	var out [aes.BlockSize]byte
	block.Encrypt(out[:], le[:])
	return out[:ChecksumSize:ChecksumSize]
}
