package cenc_test

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"os/exec"
	"testing"

	"github.com/lockstream/lockstream/internal/cenc"
	"github.com/lockstream/lockstream/internal/keys"
)

// openssl decrypts AES-128-CBC with PKCS#7 padding with the openssl
// command, an implementation independent of Go's.
func openssl(t *testing.T, key keys.Key, iv [16]byte, data []byte) []byte {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("openssl not found (apt-get install -y openssl)")
		}
		t.Skip("openssl not found (apt-get install -y openssl)")
	}
	cmd := exec.Command(bin, "aes-128-cbc", "-d", "-K", hex.EncodeToString(key[:]), "-iv", hex.EncodeToString(iv[:]))
	cmd.Stdin = bytes.NewReader(data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openssl: %v: %s", err, stderr.String())
	}
	return out
}

func TestSealSegmentOpenSSL(t *testing.T) {
	c, err := cenc.NewCipher(testKey)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 15, 16, 17, 188, 188 * 100, 100_001} {
		for _, seq := range []uint64{0, 1, 0x0123456789abcdef} {
			seg := make([]byte, n)
			for i := range seg {
				seg[i] = byte(rng.Uint32())
			}
			iv := cenc.SequenceIV(seq)
			head := []byte("head")
			buf := append(append([]byte(nil), head...), seg...)
			got, err := c.SealSegment(buf, len(head), iv)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got[:len(head)], head) || len(got)-len(head) != cenc.SealedSize(n) {
				t.Fatalf("n=%d: %d bytes sealed, want %d after an untouched head", n, len(got)-len(head), cenc.SealedSize(n))
			}
			if !bytes.Equal(openssl(t, testKey, iv, got[len(head):]), seg) {
				t.Fatalf("n=%d seq=%d: openssl decryption differs", n, seq)
			}
		}
	}
}

func TestSealSegmentInPlace(t *testing.T) {
	c, err := cenc.NewCipher(testKey)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1000, 1000+cenc.SealOverhead)
	got, err := c.SealSegment(buf, 0, cenc.SequenceIV(3))
	if err != nil {
		t.Fatal(err)
	}
	if &got[0] != &buf[0] || len(got) != 1008 {
		t.Fatal("sealing with spare capacity copied the segment")
	}
	if _, err := c.SealSegment(buf, 2000, cenc.SequenceIV(3)); err == nil {
		t.Fatal("start past the end accepted")
	}
}

func TestSequenceIV(t *testing.T) {
	iv := cenc.SequenceIV(0x0102)
	want := [16]byte{14: 1, 15: 2}
	if iv != want {
		t.Fatalf("got %x", iv)
	}
}
