package widevine

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha1"
	"testing"
)

// TestSignPadding checks both paddings public implementations use for the
// 20-byte digest against an independent computation.
func TestSignPadding(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	iv := bytes.Repeat([]byte{9}, 16)
	msg := []byte(`{"payload":"CAQ=","provider":"p"}`)
	d := sha1.Sum(msg)
	for _, tc := range []struct {
		padding string
		fill    byte
	}{{"", 12}, {PaddingPKCS7, 12}, {PaddingZero, 0}} {
		want := make([]byte, 32)
		copy(want, d[:])
		for i := 20; i < 32; i++ {
			want[i] = tc.fill
		}
		blk, _ := aes.NewCipher(key)
		cipher.NewCBCEncrypter(blk, iv).CryptBlocks(want, want)
		got, err := (&Credentials{AESKey: key, AESIV: iv, Padding: tc.padding}).Sign(msg)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("padding %q: %x, want %x (%v)", tc.padding, got, want, err)
		}
	}
	if _, err := (&Credentials{AESKey: key[:16], AESIV: iv}).Sign(msg); err == nil {
		t.Error("a 16-byte signing key was accepted")
	}
}
