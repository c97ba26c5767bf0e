package ksmtest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"math/big"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// TLLV tags the client writes and reads (the public protocol constants;
// duplicated from package ksm on purpose: the client is independent).
const (
	tagSKR1          uint64 = 0x3d1a10b8bffac2ec
	tagSKR1Integrity uint64 = 0xb349d4809e910687
	tagAntiReplay    uint64 = 0x89c90f12204106b2
	tagR2            uint64 = 0x71b5595ac1521133
	tagReturnRequest uint64 = 0x19f9d4e5ab7609cb
	tagAssetID       uint64 = 0x1bf7f53f5d5d5a1f
	TagTransactionID uint64 = 0x47aa7ad3440577de
	TagProtocolUsed  uint64 = 0x5d81bcbcc7f61703
	tagPlayback      uint64 = 0xeb8efdf2b25ab3a0
	tagCapabilities  uint64 = 0x9c02af3253c07fb2
	tagEncryptedCK   uint64 = 0x58b38165af0e3d5a
	tagR1            uint64 = 0xea74c4645d5efee9
	tagKeyDuration   uint64 = 0x47acf6a418cd091a
	tagOfflineKey    uint64 = 0x6375d9727060218c
)

// Credentials are a test FPS deployment: a fresh RSA key, a self-signed
// certificate and a random ASk, and the PKCS#12 file an operator would
// put in a content key policy.
type Credentials struct {
	Key      *rsa.PrivateKey
	Cert     *x509.Certificate
	ASk      [16]byte
	PFX      []byte
	Password string
}

// NewCredentials makes credentials with an RSA key of bits (1024 for SPC
// v1, 2048 for v2).
func NewCredentials(bits int, password string) (*Credentials, error) {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "Lockstream test FPS certificate"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		return nil, fmt.Errorf("create certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	pfx, err := pkcs12.Modern.Encode(k, cert, nil, password)
	if err != nil {
		return nil, fmt.Errorf("encode pkcs12: %w", err)
	}
	c := &Credentials{Key: k, Cert: cert, PFX: pfx, Password: password}
	_, _ = rand.Read(c.ASk[:])
	return c, nil
}

// PFXBase64 is the fairPlayPfx value of a content key policy.
func (c *Credentials) PFXBase64() string { return base64.StdEncoding.EncodeToString(c.PFX) }

// TLLV is a block the client adds or reads.
type TLLV struct {
	Tag   uint64
	Value []byte
}

// SPCOptions shape one SPC.
type SPCOptions struct {
	// Version is 1 (RSA-1024, OAEP SHA-1) or 2 (RSA-2048, OAEP SHA-256).
	Version uint32
	AssetID []byte
	// ReturnTags asks the server to echo these TLLVs.
	ReturnTags []uint64
	// PlaybackState adds the media playback state TLLV (needed for a
	// duration in the CKC).
	PlaybackState bool
	// Capabilities adds the capabilities TLLV with these flags.
	Capabilities uint64
	// Extra TLLVs are added as they are.
	Extra []TLLV
	// CertHash overrides the certificate hash (default SHA-1 of Cert).
	CertHash []byte
	// ASk overrides the client's ASk (a client of another deployment).
	ASk *[16]byte
}

// Session is what the client keeps to open the CKC.
type Session struct {
	SK, AntiReplay [16]byte
	R1             [44]byte
	Sent           []TLLV
}

// NewSPC builds an SPC for the credentials' certificate.
func (c *Credentials) NewSPC(o SPCOptions) ([]byte, *Session, error) {
	if o.Version == 0 {
		o.Version = 1
	}
	s := &Session{}
	rnd := func(b []byte) { _, _ = rand.Read(b) }
	rnd(s.SK[:])
	rnd(s.AntiReplay[:])
	rnd(s.R1[:])
	r2 := make([]byte, 21)
	rnd(r2)
	var hu [20]byte
	rnd(hu[:])
	var integrity [16]byte
	rnd(integrity[:])
	ask := c.ASk
	if o.ASk != nil {
		ask = *o.ASk
	}
	dask := StandInDASk(ask, r2)
	// [SK..R1]: IV, then SK | HU | R1 | integrity under DASk.
	skr1 := make([]byte, 112)
	rnd(skr1[:16])
	plain := make([]byte, 0, 96)
	plain = append(append(append(append(plain, s.SK[:]...), hu[:]...), s.R1[:]...), integrity[:]...)
	blk, _ := aes.NewCipher(dask[:])
	cipher.NewCBCEncrypter(blk, skr1[:16]).CryptBlocks(skr1[16:], plain)

	ts := []TLLV{{tagSKR1, skr1}, {tagSKR1Integrity, integrity[:]}, {tagR2, r2}, {tagAntiReplay, s.AntiReplay[:]}, {tagAssetID, o.AssetID}}
	tx := make([]byte, 8)
	rnd(tx)
	ts = append(ts, TLLV{TagTransactionID, tx}, TLLV{TagProtocolUsed, []byte{0, 0, 0, 1}})
	if len(o.ReturnTags) > 0 {
		v := make([]byte, 0, 8*len(o.ReturnTags))
		for _, t := range o.ReturnTags {
			v = binary.BigEndian.AppendUint64(v, t)
		}
		ts = append(ts, TLLV{tagReturnRequest, v})
	}
	if o.PlaybackState {
		v := binary.BigEndian.AppendUint32(nil, uint32(time.Now().Unix()))
		v = binary.BigEndian.AppendUint32(v, 0xf4dee5a2)
		v = binary.BigEndian.AppendUint64(v, 42)
		ts = append(ts, TLLV{tagPlayback, v})
	}
	if o.Capabilities != 0 {
		v := make([]byte, 16)
		binary.BigEndian.PutUint64(v[8:], o.Capabilities)
		ts = append(ts, TLLV{tagCapabilities, v})
	}
	ts = append(ts, o.Extra...)
	s.Sent = ts
	var payload []byte
	for _, t := range ts {
		payload = appendBlock(payload, t.Tag, t.Value)
	}

	spck := make([]byte, 16)
	rnd(spck)
	var h hash.Hash = sha1.New()
	if o.Version == 2 {
		h = sha256.New()
	}
	wrapped, err := rsa.EncryptOAEP(h, rand.Reader, c.Cert.PublicKey.(*rsa.PublicKey), spck, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("wrap spck: %w", err)
	}
	iv := make([]byte, 16)
	rnd(iv)
	blk, _ = aes.NewCipher(spck)
	enc := make([]byte, len(payload))
	cipher.NewCBCEncrypter(blk, iv).CryptBlocks(enc, payload)

	hash := sha1.Sum(c.Cert.Raw)
	ch := hash[:]
	if o.CertHash != nil {
		ch = o.CertHash
	}
	out := binary.BigEndian.AppendUint32(nil, o.Version)
	out = append(out, 0, 0, 0, 0)
	out = append(out, iv...)
	out = append(out, wrapped...)
	out = append(out, ch...)
	out = binary.BigEndian.AppendUint32(out, uint32(len(enc)))
	out = append(out, enc...)
	return out, s, nil
}

func appendBlock(dst []byte, tag uint64, v []byte) []byte {
	pad := 16 - len(v)%16 // keep blocks whole AES blocks
	dst = binary.BigEndian.AppendUint64(dst, tag)
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(v)+pad))
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(v)))
	dst = append(dst, v...)
	p := make([]byte, pad)
	_, _ = rand.Read(p)
	return append(dst, p...)
}

// CKC is an opened CKC.
type CKC struct {
	ContentKey, ContentIV [16]byte
	// KeyDuration is {lease, rental, key type} when present.
	KeyDuration *[3]uint32
	// Offline is {storage, playback} of the offline key TLLV when present.
	Offline *[2]uint32
	// OfflineContentID is the offline key TLLV's content id.
	OfflineContentID [16]byte
	// Blocks are every TLLV of the payload.
	Blocks []TLLV
}

// Block returns the value of tag, or nil.
func (c *CKC) Block(tag uint64) []byte {
	for _, b := range c.Blocks {
		if b.Tag == tag {
			return b.Value
		}
	}
	return nil
}

// OpenCKC decrypts a CKC the way a device does: payload key from R1 and
// the anti-replay seed, content key under SK, R1 checked.
func (s *Session) OpenCKC(b []byte) (*CKC, error) {
	if len(b) < 28 || binary.BigEndian.Uint32(b) != 1 {
		return nil, errors.New("not a CKC v1")
	}
	n := int(binary.BigEndian.Uint32(b[24:]))
	if n != len(b)-28 || n%16 != 0 {
		return nil, fmt.Errorf("ckc payload length %d of %d", n, len(b)-28)
	}
	h := sha1.Sum(s.R1[:])
	ab, _ := aes.NewCipher(h[:16])
	var key [16]byte
	ab.Encrypt(key[:], s.AntiReplay[:])
	blk, _ := aes.NewCipher(key[:])
	p := make([]byte, n)
	cipher.NewCBCDecrypter(blk, b[8:24]).CryptBlocks(p, b[28:])
	out := &CKC{}
	for off := 0; off < len(p); {
		if len(p)-off < 16 {
			return nil, errors.New("ckc: trailing bytes")
		}
		tag := binary.BigEndian.Uint64(p[off:])
		bl := int(binary.BigEndian.Uint32(p[off+8:]))
		vl := int(binary.BigEndian.Uint32(p[off+12:]))
		off += 16
		if vl > bl || bl > len(p)-off {
			return nil, errors.New("ckc: bad TLLV lengths")
		}
		out.Blocks = append(out.Blocks, TLLV{tag, p[off : off+vl]})
		off += bl
	}
	ck := out.Block(tagEncryptedCK)
	if len(ck) != 32 {
		return nil, fmt.Errorf("ckc: content key TLLV of %d bytes", len(ck))
	}
	copy(out.ContentIV[:], ck[:16])
	sb, _ := aes.NewCipher(s.SK[:])
	sb.Decrypt(out.ContentKey[:], ck[16:])
	if r1 := out.Block(tagR1); string(r1) != string(s.R1[:]) {
		return nil, errors.New("ckc: R1 differs from the SPC's")
	}
	if d := out.Block(tagKeyDuration); d != nil {
		if len(d) != 16 || binary.BigEndian.Uint32(d[12:]) != 0x86d34a3a {
			return nil, errors.New("ckc: bad key duration TLLV")
		}
		out.KeyDuration = &[3]uint32{binary.BigEndian.Uint32(d), binary.BigEndian.Uint32(d[4:]), binary.BigEndian.Uint32(d[8:])}
	}
	if d := out.Block(tagOfflineKey); d != nil {
		if len(d) != 32 || binary.BigEndian.Uint32(d) != 1 {
			return nil, errors.New("ckc: bad offline key TLLV")
		}
		copy(out.OfflineContentID[:], d[8:24])
		out.Offline = &[2]uint32{binary.BigEndian.Uint32(d[24:]), binary.BigEndian.Uint32(d[28:])}
	}
	return out, nil
}
