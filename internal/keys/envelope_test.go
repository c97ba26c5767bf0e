package keys_test

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/keys/keystest"
)

var mustKeyring = keystest.Keyring

func TestSealOpenRoundTrip(t *testing.T) {
	ring := mustKeyring(t, mustKEK(t, kekSeq))
	big := make([]byte, 1<<20)
	rand.Read(big)
	tests := []struct {
		name string
		pt   []byte
		aad  []byte
	}{
		{name: "content key", pt: testKey[:], aad: []byte("contentkeys/acct/locator/kid")},
		{name: "empty plaintext", pt: []byte{}, aad: []byte("x")},
		{name: "nil plaintext", pt: nil, aad: []byte("x")},
		{name: "nil aad", pt: []byte("secret"), aad: nil},
		{name: "empty aad", pt: []byte("secret"), aad: []byte{}},
		{name: "one MiB", pt: big, aad: []byte("big")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sealed, err := ring.Seal(tt.pt, tt.aad)
			if err != nil {
				t.Fatal(err)
			}
			if len(sealed) != len(tt.pt)+keys.Overhead {
				t.Errorf("len(sealed) = %d, want %d", len(sealed), len(tt.pt)+keys.Overhead)
			}
			if sealed[0] != 1 || hex.EncodeToString(sealed[1:5]) != ring.PrimaryID() {
				t.Errorf("header = % x, want version 1 and KEK id %s", sealed[:5], ring.PrimaryID())
			}
			if len(tt.pt) >= 8 && bytes.Contains(sealed, tt.pt[:8]) {
				t.Error("sealed blob contains plaintext")
			}
			got, err := ring.Open(sealed, tt.aad)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil || !bytes.Equal(got, tt.pt) {
				t.Fatalf("Open = %q (nil %v), want %q", got, got == nil, tt.pt)
			}
		})
	}
}

// TestSealFormat checks the blob layout against an independent AES-GCM
// computation, with a fixed nonce.
func TestSealFormat(t *testing.T) {
	kek := mustKEK(t, kekSeq)
	nonce := bytes.Repeat([]byte{0xa5}, 12)
	ring, err := keys.NewKeyring(bytes.NewReader(nonce), kek)
	if err != nil {
		t.Fatal(err)
	}
	pt, aad := []byte("sixteen byte key"), []byte("aad")
	sealed, err := ring.Seal(pt, aad)
	if err != nil {
		t.Fatal(err)
	}

	raw, _ := hex.DecodeString(kekSeq)
	block, _ := aes.NewCipher(raw)
	gcm, _ := cipher.NewGCM(block)
	header := []byte{1, 0x7f, 0x88, 0xa3, 0x39}
	want := append(append(append([]byte{}, header...), nonce...),
		gcm.Seal(nil, nonce, pt, append(append([]byte{}, header...), aad...))...)
	if !bytes.Equal(sealed, want) {
		t.Fatalf("Seal =\n% x\nwant\n% x", sealed, want)
	}
	if id, err := keys.SealedKEKID(sealed); err != nil || id != "7f88a339" {
		t.Errorf("SealedKEKID = %q, %v", id, err)
	}

	// The reader is exhausted: Seal reports it and returns nothing.
	if out, err := ring.Seal(pt, aad); err == nil || out != nil {
		t.Fatalf("Seal with an exhausted reader = %x, %v", out, err)
	}
}

func TestOpenErrors(t *testing.T) {
	kekA, kekB := mustKEK(t, kekHex(0xaa)), mustKEK(t, kekHex(0xbb))
	ringA := mustKeyring(t, kekA)
	pt := []byte("plaintext-marker-value")
	aad := []byte("assets/a1")
	sealed, err := ringA.Seal(pt, aad)
	if err != nil {
		t.Fatal(err)
	}
	mutate := func(f func([]byte) []byte) []byte { return f(bytes.Clone(sealed)) }

	tests := []struct {
		name    string
		ring    *keys.Keyring
		sealed  []byte
		aad     []byte
		want    error
		wantMsg string
	}{
		{name: "wrong aad", ring: ringA, sealed: sealed, aad: []byte("assets/a2"), want: keys.ErrCorrupt, wantMsg: "authentication failed"},
		{name: "missing aad", ring: ringA, sealed: sealed, aad: nil, want: keys.ErrCorrupt},
		{name: "wrong KEK", ring: mustKeyring(t, kekB), sealed: sealed, aad: aad, want: keys.ErrUnknownKEK, wantMsg: "(id " + kekA.ID() + ")"},
		{name: "empty", ring: ringA, sealed: nil, aad: aad, want: keys.ErrCorrupt, wantMsg: "empty"},
		{name: "header only", ring: ringA, sealed: sealed[:5], aad: aad, want: keys.ErrCorrupt, wantMsg: "truncated to 5 bytes"},
		{name: "truncated by one", ring: ringA, sealed: sealed[:len(sealed)-1], aad: aad, want: keys.ErrCorrupt},
		{name: "below overhead", ring: ringA, sealed: sealed[:keys.Overhead-1], aad: aad, want: keys.ErrCorrupt, wantMsg: "truncated"},
		{name: "extended", ring: ringA, sealed: append(bytes.Clone(sealed), 0), aad: aad, want: keys.ErrCorrupt},
		{name: "version 0", ring: ringA, sealed: mutate(func(b []byte) []byte { b[0] = 0; return b }), aad: aad, want: keys.ErrCorrupt, wantMsg: "unsupported format version 0"},
		{name: "version 2", ring: ringA, sealed: mutate(func(b []byte) []byte { b[0] = 2; return b }), aad: aad, want: keys.ErrCorrupt, wantMsg: "version 2"},
		{name: "flipped nonce bit", ring: ringA, sealed: mutate(func(b []byte) []byte { b[7] ^= 1; return b }), aad: aad, want: keys.ErrCorrupt},
		{name: "flipped ciphertext bit", ring: ringA, sealed: mutate(func(b []byte) []byte { b[20] ^= 0x80; return b }), aad: aad, want: keys.ErrCorrupt},
		{name: "flipped tag bit", ring: ringA, sealed: mutate(func(b []byte) []byte { b[len(b)-1] ^= 1; return b }), aad: aad, want: keys.ErrCorrupt},
		{name: "flipped kek id bit", ring: ringA, sealed: mutate(func(b []byte) []byte { b[2] ^= 1; return b }), aad: aad, want: keys.ErrUnknownKEK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.ring.Open(tt.sealed, tt.aad)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Open error = %v, want %v", err, tt.want)
			}
			if got != nil {
				t.Errorf("failed Open returned %q", got)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "keys: open: ") || !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("error %q, want prefix \"keys: open: \" and %q", msg, tt.wantMsg)
			}
			if strings.Contains(msg, "plaintext-marker") {
				t.Errorf("error %q reveals plaintext", msg)
			}
		})
	}
}

// TestOpenEveryMutation flips every bit and truncates at every length.
func TestOpenEveryMutation(t *testing.T) {
	ring := mustKeyring(t, mustKEK(t, kekSeq))
	sealed, err := ring.Seal(testKey[:], []byte("aad"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range len(sealed) * 8 {
		b := bytes.Clone(sealed)
		b[i/8] ^= 1 << (i % 8)
		pt, err := ring.Open(b, []byte("aad"))
		if pt != nil || !(errors.Is(err, keys.ErrCorrupt) || errors.Is(err, keys.ErrUnknownKEK)) {
			t.Fatalf("bit %d: Open = %x, %v", i, pt, err)
		}
	}
	for n := range len(sealed) {
		pt, err := ring.Open(sealed[:n], []byte("aad"))
		if pt != nil || !errors.Is(err, keys.ErrCorrupt) {
			t.Fatalf("truncated to %d: Open = %x, %v", n, pt, err)
		}
	}
}

func TestNoncesUnique(t *testing.T) {
	const n = 20000
	ring := mustKeyring(t, mustKEK(t, kekSeq))
	seen := make(map[[12]byte]bool, n)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for range n / 8 {
				sealed, err := ring.Seal([]byte("same plaintext"), []byte("same aad"))
				if err != nil {
					t.Error(err)
					return
				}
				nonce := [12]byte(sealed[5:17])
				mu.Lock()
				dup := seen[nonce]
				seen[nonce] = true
				mu.Unlock()
				if dup {
					t.Errorf("worker %d: nonce % x repeated", w, nonce)
					return
				}
			}
		})
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("saw %d nonces, want %d", len(seen), n)
	}
}

// TestKeyringConcurrent runs Seal and Open from many goroutines with a
// reader that is not safe for concurrent use; run it with -race.
func TestKeyringConcurrent(t *testing.T) {
	ring, err := keys.NewKeyring(bufio.NewReader(rand.Reader), mustKEK(t, kekSeq))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				sealed, err := ring.Seal(testKey[:], []byte("aad"))
				if err != nil {
					t.Error(err)
					return
				}
				if pt, err := ring.Open(sealed, []byte("aad")); err != nil || !bytes.Equal(pt, testKey[:]) {
					t.Errorf("Open = %x, %v", pt, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestKeyringRotation(t *testing.T) {
	oldKEK, newKEK := mustKEK(t, kekHex(0x01)), mustKEK(t, kekHex(0x02))
	oldRing := mustKeyring(t, oldKEK)
	rotated := mustKeyring(t, newKEK, oldKEK)
	aad := []byte("aad")

	oldBlob, err := oldRing.Seal([]byte("old secret"), aad)
	if err != nil {
		t.Fatal(err)
	}
	newBlob, err := rotated.Seal([]byte("new secret"), aad)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		ring    *keys.Keyring
		blob    []byte
		want    string
		wantErr error
		primary bool
	}{
		{name: "rotated opens old blob", ring: rotated, blob: oldBlob, want: "old secret"},
		{name: "rotated opens new blob", ring: rotated, blob: newBlob, want: "new secret", primary: true},
		{name: "old ring opens old blob", ring: oldRing, blob: oldBlob, want: "old secret", primary: true},
		{name: "old ring cannot open new blob", ring: oldRing, blob: newBlob, wantErr: keys.ErrUnknownKEK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.ring.Open(tt.blob, aad)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Open error = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("Open = %q, %v; want %q", got, err, tt.want)
			}
			if p := tt.ring.SealedByPrimary(tt.blob); p != tt.primary {
				t.Errorf("SealedByPrimary = %v, want %v", p, tt.primary)
			}
		})
	}
	if got, want := fmt.Sprint(rotated), "Keyring(primary="+newKEK.ID()+", 2 KEKs)"; got != want {
		t.Errorf("Sprint(keyring) = %q, want %q", got, want)
	}
	if rotated.PrimaryID() != newKEK.ID() {
		t.Errorf("PrimaryID() = %s, want %s", rotated.PrimaryID(), newKEK.ID())
	}
	if id, _ := keys.SealedKEKID(newBlob); id != newKEK.ID() {
		t.Errorf("SealedKEKID(new blob) = %s, want %s", id, newKEK.ID())
	}
}

func TestNewKeyringErrors(t *testing.T) {
	k := mustKEK(t, kekSeq)
	tests := []struct {
		name    string
		primary keys.KEK
		older   []keys.KEK
		wantErr string
	}{
		{name: "zero primary", primary: keys.KEK{}, wantErr: "KEK 0 is the zero value"},
		{name: "zero older", primary: k, older: []keys.KEK{mustKEK(t, kekHex(1)), {}}, wantErr: "KEK 2 is the zero value"},
		{name: "repeated KEK", primary: k, older: []keys.KEK{k, k}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ring, err := keys.NewKeyring(nil, tt.primary, tt.older...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("NewKeyring error = %v, want containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || ring.PrimaryID() != k.ID() {
				t.Fatalf("NewKeyring = %v, %v", ring, err)
			}
		})
	}
}

func TestSealReaderErrors(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name string
		r    *keys.Keyring
		want error
	}{
		{name: "failing reader", r: must(keys.NewKeyring(iotest.ErrReader(boom), mustKEK(t, kekSeq))), want: boom},
		{name: "short reader", r: must(keys.NewKeyring(bytes.NewReader(make([]byte, 11)), mustKEK(t, kekSeq)))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := tt.r.Seal([]byte("x"), nil)
			if err == nil || out != nil || !strings.HasPrefix(err.Error(), "keys: seal: ") {
				t.Fatalf("Seal = %x, %v; want a keys: seal error", out, err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("Seal error = %v, want wrapping %v", err, tt.want)
			}
		})
	}
}

func TestSealedKEKIDErrors(t *testing.T) {
	for _, b := range [][]byte{nil, {1, 2, 3}, append([]byte{9}, make([]byte, 40)...)} {
		if _, err := keys.SealedKEKID(b); !errors.Is(err, keys.ErrCorrupt) {
			t.Errorf("SealedKEKID(% x) error = %v, want ErrCorrupt", b, err)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func FuzzOpen(f *testing.F) {
	ring := must(keys.NewKeyring(nil, mustKEK(f, kekSeq), mustKEK(f, kekHex(0x11))))
	other := must(keys.NewKeyring(nil, mustKEK(f, kekHex(0x11))))
	pt := []byte("fuzz plaintext")
	f.Add(must(ring.Seal(pt, []byte("aad"))), []byte("aad"))
	f.Add(must(other.Seal(pt, []byte("aad"))), []byte("aad"))
	f.Add(must(ring.Seal(pt, nil)), []byte{})
	f.Add([]byte{}, []byte{})
	f.Add([]byte{1, 0x7f, 0x88, 0xa3, 0x39}, []byte("aad"))
	f.Add(bytes.Repeat([]byte{1}, 64), []byte("aad"))
	f.Fuzz(func(t *testing.T, sealed, aad []byte) {
		got, err := ring.Open(sealed, aad)
		if err != nil {
			if got != nil {
				t.Fatalf("failed Open returned %q", got)
			}
			if !errors.Is(err, keys.ErrCorrupt) && !errors.Is(err, keys.ErrUnknownKEK) {
				t.Fatalf("Open error %v wraps neither ErrCorrupt nor ErrUnknownKEK", err)
			}
			return
		}
		// Only a genuine seed can open; it must yield the sealed plaintext.
		if !bytes.Equal(got, pt) {
			t.Fatalf("Open accepted a forged blob: %q", got)
		}
	})
}

func BenchmarkSeal(b *testing.B) {
	for _, size := range []int{16, 1024} {
		b.Run(sizeName(size), func(b *testing.B) {
			ring := mustKeyring(b, mustKEK(b, kekSeq))
			pt, aad := make([]byte, size), []byte("contentkeys/acct/locator/kid")
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ring.Seal(pt, aad); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkOpen(b *testing.B) {
	for _, size := range []int{16, 1024} {
		b.Run(sizeName(size), func(b *testing.B) {
			ring := mustKeyring(b, mustKEK(b, kekSeq))
			aad := []byte("contentkeys/acct/locator/kid")
			sealed := must(ring.Seal(make([]byte, size), aad))
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ring.Open(sealed, aad); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func sizeName(n int) string {
	if n >= 1024 {
		return strconv.Itoa(n/1024) + "KiB"
	}
	return strconv.Itoa(n) + "B"
}
