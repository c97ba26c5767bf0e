package cenc_test

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/lockstream/lockstream/internal/cenc"
	"github.com/lockstream/lockstream/internal/cenc/cenctest"
)

// escaped applies emulation prevention to rbsp (the test's own version).
func escaped(rbsp []byte) []byte {
	var out []byte
	for _, x := range rbsp {
		n := len(out)
		if n >= 2 && out[n-1] == 0 && out[n-2] == 0 && x <= 3 {
			out = append(out, 3)
		}
		out = append(out, x)
	}
	if len(out) > 0 && out[len(out)-1] == 0 {
		out = append(out, 3)
	}
	return out
}

// validNAL reports whether nal emulates no start code: two zero bytes are
// never followed by a byte of 0x00-0x02, and it does not end in zero.
func validNAL(nal []byte) bool {
	for i := 0; i+2 < len(nal); i++ {
		if nal[i] == 0 && nal[i+1] == 0 && nal[i+2] <= 2 {
			return false
		}
	}
	return len(nal) > 0 && nal[len(nal)-1] != 0
}

func randomRBSP(rng *rand.Rand, n int, header byte) []byte {
	b := make([]byte, n)
	b[0] = header
	for i := 1; i < n; i++ {
		b[i] = byte(rng.Uint32())
	}
	b[n-1] |= 0x80 // rbsp_stop_one_bit
	return b
}

// TestSampleAESNAL encrypts NAL units with AppendSampleAESNAL and decrypts
// them with cenctest's decryptor (written from Apple's specification):
// slices round-trip, including ones whose input carries emulation
// prevention bytes and ones whose ciphertext needs new ones; short and
// non-slice units pass unchanged; every output emulates no start code.
func TestSampleAESNAL(t *testing.T) {
	c, err := cenc.NewCipher(testKey)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	iv := cenc.SequenceIV(9)

	// Input whose RBSP is full of zero runs, so that it carries emulation
	// prevention bytes in both the clear leader and the encrypted blocks.
	zeros := randomRBSP(rng, 700, 0x65)
	for i := 5; i < 690; i += 37 {
		zeros[i], zeros[i+1], zeros[i+2] = 0, 0, byte(i%4)
	}
	// A cabac_zero_word at the end (escaped as 00 00 03).
	cabacZero := append(randomRBSP(rng, 300, 0x41), 0, 0)

	// An IV under which the ciphertext of a slice contains a start code
	// emulation: found by search (about 1 in 4 for this NAL size).
	needy := randomRBSP(rng, 20000, 0x41)
	var needyIV [16]byte
	found := false
	for s := uint64(0); s < 1000 && !found; s++ {
		needyIV = cenc.SequenceIV(s)
		out := c.AppendSampleAESNAL(nil, needy, &needyIV)
		found = len(out) > len(needy)
	}
	if !found {
		t.Fatal("no IV makes the ciphertext need emulation prevention")
	}

	for _, tc := range []struct {
		name    string
		nal     []byte
		iv      *[16]byte
		changed bool
	}{
		{"IDR slice", escaped(randomRBSP(rng, 5000, 0x65)), &iv, true},
		{"non-IDR slice", escaped(randomRBSP(rng, 49, 0x41)), &iv, true},
		{"48 bytes stays clear", escaped(randomRBSP(rng, 48, 0x41)), &iv, false},
		{"short", []byte{0x41, 0x9a}, &iv, false},
		{"SEI", escaped(randomRBSP(rng, 500, 0x06)), &iv, false},
		{"SPS", escaped(randomRBSP(rng, 60, 0x67)), &iv, false},
		{"emulation prevention in the input", escaped(zeros), &iv, true},
		{"trailing cabac_zero_word", escaped(cabacZero), &iv, true},
		{"ciphertext needs emulation prevention", escaped(needy), &needyIV, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !validNAL(tc.nal) && len(tc.nal) > 2 {
				t.Fatal("test input is not a valid NAL unit")
			}
			out := c.AppendSampleAESNAL([]byte{0, 0, 0, 1}, tc.nal, tc.iv)
			if !validNAL(out[4:]) {
				t.Fatal("output emulates a start code")
			}
			if changed := !bytes.Equal(out[4:], tc.nal); changed != tc.changed {
				t.Fatalf("changed = %v, want %v", changed, tc.changed)
			}
			if tc.changed && !bytes.Equal(out[4:4+32], tc.nal[:32]) {
				t.Fatal("the 32-byte leader is not clear")
			}
			dec, err := cenctest.DecryptAnnexB(testKey, *tc.iv, out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(dec[4:], tc.nal) {
				t.Fatal("decryption differs from the input")
			}
		})
	}
}

// TestSampleAESFrame checks AAC frames of every length up to 100 bytes
// against cenctest's decryptor: a 16-byte clear leader, whole blocks
// encrypted, the partial tail clear.
func TestSampleAESFrame(t *testing.T) {
	c, err := cenc.NewCipher(testKey)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	iv := cenc.SequenceIV(1)
	for n := range 101 {
		frame := make([]byte, n)
		for i := range frame {
			frame[i] = byte(rng.Uint32())
		}
		enc := bytes.Clone(frame)
		c.SampleAESFrame(enc, &iv)
		blocks := max(0, (n-16)/16)
		tail := min(n, 16+16*blocks)
		if !bytes.Equal(enc[:min(n, 16)], frame[:min(n, 16)]) || !bytes.Equal(enc[tail:], frame[tail:]) {
			t.Fatalf("n=%d: clear leader or tail changed", n)
		}
		if blocks > 0 && bytes.Equal(enc, frame) {
			t.Fatalf("n=%d: not encrypted", n)
		}
		l := n + 7
		adts := append([]byte{0xff, 0xf1, 0x50, 0x80 | byte(l>>11), byte(l >> 3), byte(l&7)<<5 | 0x1f, 0xfc}, enc...)
		dec, err := cenctest.DecryptADTS(testKey, iv, adts)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(dec[7:], frame) {
			t.Fatalf("n=%d: decryption differs", n)
		}
	}
}

// FuzzSampleAESNAL: any NAL unit encrypts without panicking into a NAL
// unit that emulates no start code, and decrypts (with cenctest) to
// itself, with its emulation prevention made canonical when it is a slice.
func FuzzSampleAESNAL(f *testing.F) {
	c, err := cenc.NewCipher(testKey)
	if err != nil {
		f.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	f.Add(escaped(randomRBSP(rng, 100, 0x65)))
	f.Add(append([]byte{0x41}, make([]byte, 80)...))
	f.Add([]byte{0x65, 0, 0, 3, 0, 0, 3})
	iv := cenc.SequenceIV(2)
	f.Fuzz(func(t *testing.T, nal []byte) {
		out := c.AppendSampleAESNAL([]byte{0, 0, 0, 1}, nal, &iv)
		if !validNAL(nal) {
			return // not a NAL unit a byte stream can carry
		}
		if !validNAL(out[4:]) {
			t.Fatalf("output % x emulates a start code", out[4:])
		}
		if u := unescaped(nal); u[len(u)-1] == 0 {
			// Trailing cabac_zero_word padding: when encryption reaches
			// the byte before the last, the zero left alone at the end
			// takes an 0x03 that decryption keeps (see AppendSampleAESNAL).
			return
		}
		// The decryptor re-applies emulation prevention to every slice.
		want := nal
		if nal[0]&0x1f == 1 || nal[0]&0x1f == 5 {
			want = escaped(unescaped(nal))
		}
		dec, err := cenctest.DecryptAnnexB(testKey, iv, out)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(dec[4:], want) {
			t.Fatalf("round trip of % x gave % x", nal, dec[4:])
		}
	})
}

// unescaped drops emulation prevention bytes (the test's own version).
func unescaped(nal []byte) []byte {
	var out []byte
	zeros := 0
	for _, x := range nal {
		if zeros >= 2 && x == 3 {
			zeros = 0
			continue
		}
		out = append(out, x)
		if x == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	return out
}
