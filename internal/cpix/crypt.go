package cpix

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha512"
	"crypto/subtle"
	"crypto/x509"
	"errors"
	"fmt"
	"io"

	"github.com/lockstream/lockstream/internal/keys"
)

// Sizes of the per-document secrets.
const (
	documentKeySize = 32 // AES-256
	macKeySize      = 64 // HMAC-SHA512 block-strength key
	minRSABits      = 2048
)

// ErrDecrypt means encrypted keys could not be recovered: no recipient
// matches the private key, a wrapped key does not unwrap, or a ValueMAC
// does not verify. Errors wrap it with detail.
var ErrDecrypt = errors.New("cpix: cannot decrypt content keys")

// RecipientKey returns the RSA public key of a recipient certificate
// (DER), which must be at least 2048 bits.
func RecipientKey(der []byte) (*rsa.PublicKey, error) {
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("%w: recipient certificate: %v", ErrInvalid, err)
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%w: recipient certificate has a %T key, want RSA", ErrInvalid, cert.PublicKey)
	}
	if pub.N.BitLen() < minRSABits {
		return nil, fmt.Errorf("%w: recipient certificate has a %d-bit RSA key, want at least %d", ErrInvalid, pub.N.BitLen(), minRSABits)
	}
	return pub, nil
}

// Encrypt encrypts every clear content key of d to every recipient in
// d.DeliveryData: a fresh document key and MAC key are wrapped to each
// recipient's certificate, each key value becomes an EncryptedValue with
// its ValueMAC, and the clear values are dropped from d. Nothing changes
// when an error is returned.
func (d *Document) Encrypt(rand io.Reader) error {
	if len(d.DeliveryData) == 0 {
		return fmt.Errorf("%w: encrypt: no DeliveryData recipients", ErrInvalid)
	}
	pubs := make([]*rsa.PublicKey, len(d.DeliveryData))
	for i, dd := range d.DeliveryData {
		pub, err := RecipientKey(dd.Certificate)
		if err != nil {
			return fmt.Errorf("encrypt for DeliveryData[%d]: %w", i, err)
		}
		pubs[i] = pub
	}
	docKey := make([]byte, documentKeySize)
	macKey := make([]byte, macKeySize)
	if _, err := io.ReadFull(rand, docKey); err != nil {
		return fmt.Errorf("encrypt: document key: %w", err)
	}
	if _, err := io.ReadFull(rand, macKey); err != nil {
		return fmt.Errorf("encrypt: mac key: %w", err)
	}
	wrapped := make([][2][]byte, len(pubs))
	for i, pub := range pubs {
		wd, err := rsa.EncryptOAEP(sha1.New(), rand, pub, docKey, nil)
		if err != nil {
			return fmt.Errorf("encrypt: wrap document key: %w", err)
		}
		wm, err := rsa.EncryptOAEP(sha1.New(), rand, pub, macKey, nil)
		if err != nil {
			return fmt.Errorf("encrypt: wrap mac key: %w", err)
		}
		wrapped[i] = [2][]byte{wd, wm}
	}
	enc := make([]*EncryptedValue, len(d.ContentKeys))
	for i, ck := range d.ContentKeys {
		if ck.Value == nil {
			continue
		}
		ev, err := sealValue(rand, docKey, macKey, ck.Value[:])
		if err != nil {
			return fmt.Errorf("encrypt key %s: %w", ck.KID, err)
		}
		enc[i] = ev
	}
	for i := range d.DeliveryData {
		d.DeliveryData[i].WrappedDocumentKey = wrapped[i][0]
		d.DeliveryData[i].WrappedMACKey = wrapped[i][1]
		d.DeliveryData[i].MACAlgorithm = AlgHMACSHA512
	}
	for i, ev := range enc {
		if ev != nil {
			d.ContentKeys[i].Encrypted = ev
			d.ContentKeys[i].Value = nil
		}
	}
	return nil
}

func sealValue(rand io.Reader, docKey, macKey, value []byte) (*EncryptedValue, error) {
	block, err := aes.NewCipher(docKey)
	if err != nil {
		return nil, err
	}
	pad := aes.BlockSize - len(value)%aes.BlockSize
	plain := append(bytes.Clone(value), bytes.Repeat([]byte{byte(pad)}, pad)...)
	out := make([]byte, aes.BlockSize+len(plain))
	if _, err := io.ReadFull(rand, out[:aes.BlockSize]); err != nil {
		return nil, fmt.Errorf("iv: %w", err)
	}
	cipher.NewCBCEncrypter(block, out[:aes.BlockSize]).CryptBlocks(out[aes.BlockSize:], plain)
	m := hmac.New(sha512.New, macKey)
	m.Write(out)
	return &EncryptedValue{Algorithm: AlgAES256CBC, CipherValue: out, MAC: m.Sum(nil)}, nil
}

// DecryptKeys recovers every encrypted content key of d with priv, the
// private key of one of d's recipients. Each ValueMAC is verified before
// its value is decrypted; a key without a ValueMAC is refused when the
// document names a MAC method, since dropping the MAC would otherwise
// turn off the check. On success each key has Value set and Encrypted
// cleared; on error d is unchanged.
func (d *Document) DecryptKeys(priv *rsa.PrivateKey) error {
	var dd *DeliveryData
	for i := range d.DeliveryData {
		pub, err := RecipientKey(d.DeliveryData[i].Certificate)
		if err == nil && pub.Equal(&priv.PublicKey) {
			dd = &d.DeliveryData[i]
			break
		}
	}
	if dd == nil {
		return fmt.Errorf("%w: no DeliveryData names this private key's certificate", ErrDecrypt)
	}
	if len(dd.WrappedDocumentKey) == 0 {
		return fmt.Errorf("%w: DeliveryData has no DocumentKey", ErrDecrypt)
	}
	docKey, err := rsa.DecryptOAEP(sha1.New(), nil, priv, dd.WrappedDocumentKey, nil)
	if err != nil || len(docKey) != documentKeySize {
		return fmt.Errorf("%w: document key does not unwrap", ErrDecrypt)
	}
	var macKey []byte
	if len(dd.WrappedMACKey) > 0 {
		if dd.MACAlgorithm != AlgHMACSHA512 {
			return fmt.Errorf("%w: unsupported MAC method %q", ErrDecrypt, dd.MACAlgorithm)
		}
		if macKey, err = rsa.DecryptOAEP(sha1.New(), nil, priv, dd.WrappedMACKey, nil); err != nil {
			return fmt.Errorf("%w: MAC key does not unwrap", ErrDecrypt)
		}
	}
	vals := make([]*keys.Key, len(d.ContentKeys))
	for i, ck := range d.ContentKeys {
		ev := ck.Encrypted
		if ev == nil {
			continue
		}
		if ev.Algorithm != "" && ev.Algorithm != AlgAES256CBC {
			return fmt.Errorf("%w: key %s: unsupported algorithm %q", ErrDecrypt, ck.KID, ev.Algorithm)
		}
		if macKey != nil {
			m := hmac.New(sha512.New, macKey)
			m.Write(ev.CipherValue)
			if len(ev.MAC) == 0 || subtle.ConstantTimeCompare(m.Sum(nil), ev.MAC) != 1 {
				return fmt.Errorf("%w: key %s: ValueMAC does not verify", ErrDecrypt, ck.KID)
			}
		}
		v, err := openValue(docKey, ev.CipherValue)
		if err != nil {
			return fmt.Errorf("%w: key %s: %v", ErrDecrypt, ck.KID, err)
		}
		vals[i] = v
	}
	for i, v := range vals {
		if v != nil {
			d.ContentKeys[i].Value = v
			d.ContentKeys[i].Encrypted = nil
		}
	}
	return nil
}

func openValue(docKey, cv []byte) (*keys.Key, error) {
	if len(cv) < 2*aes.BlockSize || len(cv)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("cipher value has %d bytes", len(cv))
	}
	block, err := aes.NewCipher(docKey)
	if err != nil {
		return nil, err
	}
	plain := make([]byte, len(cv)-aes.BlockSize)
	cipher.NewCBCDecrypter(block, cv[:aes.BlockSize]).CryptBlocks(plain, cv[aes.BlockSize:])
	pad := int(plain[len(plain)-1])
	if pad == 0 || pad > aes.BlockSize || pad > len(plain) {
		return nil, errors.New("bad padding")
	}
	for _, c := range plain[len(plain)-pad:] {
		if int(c) != pad {
			return nil, errors.New("bad padding")
		}
	}
	plain = plain[:len(plain)-pad]
	if len(plain) != len(keys.Key{}) {
		return nil, fmt.Errorf("decrypted key has %d bytes, want 16", len(plain))
	}
	k := keys.Key(plain)
	return &k, nil
}
