package ksm

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"io"
)

// Duration is what the CKC says about the key's lifetime.
type Duration struct {
	// KeyType is one of the KeyType constants; 0 writes no duration (a
	// streaming key valid for the session).
	KeyType uint32
	// Lease and Rental are seconds; Lease NoLease for none.
	Lease, Rental uint32
	// Offline asks for dual expiry (offline key TLLV: storage and
	// playback durations) when the client reports the capability;
	// otherwise KeyType/Rental above apply.
	Offline *Offline
}

// Offline is the offline key TLLV (version 1).
type Offline struct {
	ContentID         [16]byte
	Storage, Playback uint32
}

// CKC is what goes into a CKC.
type CKC struct {
	Data       *Data
	Session    *Session
	ContentKey [16]byte
	// ContentIV is the IV the content was encrypted with (Lockstream's
	// constant cbcs / SAMPLE-AES IV of the key).
	ContentIV [16]byte
	Duration  Duration
}

// Build writes the CKC v1:
//
//	version u32 = 1 | reserved u32 | IV [16] | payload length u32 | payload
//
// The payload is AES-128-CBC under AES-ECB(SHA-1(R1)[:16], anti-replay
// seed) and holds the content key TLLV (content IV and the key encrypted
// with SK), the R1 TLLV, the echoed return TLLVs and, when the SPC had a
// media playback state, the duration (key duration or offline key TLLV).
// rnd supplies the IV and the padding.
func (c *CKC) Build(rnd io.Reader) ([]byte, string, error) {
	sk, err := aes.NewCipher(c.Session.SK[:])
	if err != nil {
		return nil, "", fmt.Errorf("session key cipher: %w", err)
	}
	pad := make([]byte, 32)
	if _, err := io.ReadFull(rnd, pad); err != nil {
		return nil, "", fmt.Errorf("read padding: %w", err)
	}
	ck := make([]byte, 32)
	copy(ck, c.ContentIV[:])
	sk.Encrypt(ck[16:], c.ContentKey[:])
	defer clear(ck)

	var p []byte
	p = appendTLLV(p, TagEncryptedCK, ck, pad)
	p = appendTLLV(p, TagR1, c.Session.R1[:], pad)
	for _, tag := range c.Data.ReturnTags {
		for _, t := range c.Data.TLLVs {
			if t.Tag == tag {
				p = appendTLLV(p, tag, t.Value, pad)
				break
			}
		}
	}
	what := "streaming"
	if c.Data.PlaybackState != nil && (c.Duration.KeyType != 0 || c.Duration.Offline != nil) {
		d := c.Duration
		if o := d.Offline; o != nil && c.Data.Capabilities&CapOfflineKey != 0 {
			v := make([]byte, 0, 32)
			v = binary.BigEndian.AppendUint32(v, 1) // offline key TLLV version 1
			v = binary.BigEndian.AppendUint32(v, 0)
			v = append(v, o.ContentID[:]...)
			v = binary.BigEndian.AppendUint32(v, o.Storage)
			v = binary.BigEndian.AppendUint32(v, o.Playback)
			p = appendTLLV(p, TagOfflineKey, v, pad)
			what = "offline key (dual expiry)"
		} else if d.KeyType != 0 {
			v := make([]byte, 0, 16)
			v = binary.BigEndian.AppendUint32(v, d.Lease)
			v = binary.BigEndian.AppendUint32(v, d.Rental)
			v = binary.BigEndian.AppendUint32(v, d.KeyType)
			v = binary.BigEndian.AppendUint32(v, keyDurationReserved)
			p = appendTLLV(p, TagKeyDuration, v, pad)
			what = fmt.Sprintf("key duration %#08x", d.KeyType)
		}
	}
	defer clear(p)

	key, err := payloadKey(c.Session.R1[:], c.Data.AntiReplay)
	if err != nil {
		return nil, "", err
	}
	blk, err := aes.NewCipher(key[:])
	clear(key[:])
	if err != nil {
		return nil, "", fmt.Errorf("ckc cipher: %w", err)
	}
	out := make([]byte, 28+len(p))
	binary.BigEndian.PutUint32(out, 1)
	if _, err := io.ReadFull(rnd, out[8:24]); err != nil {
		return nil, "", fmt.Errorf("read ckc iv: %w", err)
	}
	binary.BigEndian.PutUint32(out[24:], uint32(len(p)))
	cipher.NewCBCEncrypter(blk, out[8:24]).CryptBlocks(out[28:], p)
	return out, what, nil
}

// payloadKey is AES-ECB(SHA-1(R1)[:16], anti-replay seed), the key of
// the CKC payload.
func payloadKey(r1, seed []byte) ([16]byte, error) {
	var k [16]byte
	h := sha1.Sum(r1)
	blk, err := aes.NewCipher(h[:16])
	if err != nil {
		return k, fmt.Errorf("anti-replay cipher: %w", err)
	}
	blk.Encrypt(k[:], seed)
	return k, nil
}
