package keys_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/keys/keystest"
)

// kekSeq is the KEK 00 01 02 ... 1f; its id is pinned by TestKEKID.
const kekSeq = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

var (
	mustKEK = keystest.KEK
	kekHex  = keystest.Hex
)

func TestKEKID(t *testing.T) {
	// The id format is part of every sealed blob: changing it orphans them.
	k := mustKEK(t, kekSeq)
	if got, want := k.ID(), "7f88a339"; got != want {
		t.Fatalf("ID() = %s, want %s", got, want)
	}
	if k.ID() == "630dcd29" { // first 4 bytes of a bare SHA-256 of the key
		t.Fatal("ID() is not domain-separated")
	}
	if other := mustKEK(t, kekHex(0x42)); other.ID() == k.ID() {
		t.Fatal("different KEKs share an id")
	}
}

func TestParseKEK(t *testing.T) {
	raw, _ := hex.DecodeString(kekSeq)
	const wantID = "7f88a339"
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{name: "hex lower", in: kekSeq},
		{name: "hex upper", in: strings.ToUpper(kekSeq)},
		{name: "hex with white space", in: "  " + kekSeq + "\r\n"},
		{name: "base64 std", in: base64.StdEncoding.EncodeToString(raw)},
		{name: "base64 std raw", in: base64.RawStdEncoding.EncodeToString(raw)},
		{name: "base64 url", in: base64.URLEncoding.EncodeToString(raw)},
		{name: "base64 url raw", in: base64.RawURLEncoding.EncodeToString(raw) + "\n"},
		{name: "empty", in: "", wantErr: "keys: parse kek: empty"},
		{name: "blank", in: " \n\t", wantErr: "keys: parse kek: empty"},
		{name: "hex short", in: kekSeq[:62], wantErr: "have 62 characters"},
		{name: "hex long", in: kekSeq + "00", wantErr: "have 66 characters"},
		{name: "not hex", in: kekSeq[:10] + "zz" + kekSeq[12:], wantErr: "not hexadecimal (offset 10)"},
		{name: "not base64", in: strings.Repeat("*", 44), wantErr: "44 characters but not base64 of 32 bytes"},
		{name: "mixed alphabets", in: "-+" + base64.RawStdEncoding.EncodeToString(raw)[2:], wantErr: "43 characters but not base64"},
		{name: "base64 of 16 bytes", in: base64.StdEncoding.EncodeToString(raw[:16]), wantErr: "have 24 characters"},
		{name: "all zero hex", in: kekHex(0), wantErr: "all-zero key"},
		{name: "all zero base64", in: base64.StdEncoding.EncodeToString(make([]byte, 32)), wantErr: "all-zero key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := keys.ParseKEK(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseKEK error = %v, want containing %q", err, tt.wantErr)
				}
				if s := strings.TrimSpace(tt.in); len(s) >= 8 && strings.Contains(err.Error(), s[:8]) {
					t.Errorf("error %q repeats the input", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseKEK: %v", err)
			}
			if k.ID() != wantID {
				t.Fatalf("ID() = %s, want %s (a different key was parsed)", k.ID(), wantID)
			}
		})
	}
}

func TestKEKRedacted(t *testing.T) {
	k := mustKEK(t, kekSeq)
	want := "KEK(id=7f88a339)"
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("m", "kek", k)
	js, err := json.Marshal(struct{ K keys.KEK }{k})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		got  string
	}{
		{name: "v", got: fmt.Sprintf("%v", k)},
		{name: "plus v", got: fmt.Sprintf("%+v", k)},
		{name: "sharp v", got: fmt.Sprintf("%#v", k)},
		{name: "String", got: k.String()},
		{name: "GoString", got: k.GoString()},
		{name: "x", got: fmt.Sprintf("%x", k)},
		{name: "pointer", got: fmt.Sprintf("%v", &k)},
		{name: "struct", got: fmt.Sprintf("%+v", struct{ K keys.KEK }{k})},
		{name: "slog", got: buf.String()},
		{name: "json", got: string(js)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(tt.got, want) {
				t.Errorf("got %q, want it to contain %q", tt.got, want)
			}
			for _, leak := range []string{"000102", "0, 1, 2", "0 1 2 3", "AAECAw"} {
				if strings.Contains(tt.got, leak) {
					t.Errorf("%q leaks the key (%q)", tt.got, leak)
				}
			}
		})
	}
}

func TestNewKEK(t *testing.T) {
	raw, _ := hex.DecodeString(kekSeq)
	k, err := keys.NewKEK(bytes.NewReader(raw))
	if err != nil || k.ID() != "7f88a339" {
		t.Fatalf("NewKEK(fixed) = %v, %v", k, err)
	}
	if _, err := keys.NewKEK(bytes.NewReader(make([]byte, 32))); err == nil || !strings.Contains(err.Error(), "all-zero") {
		t.Errorf("NewKEK(zeros) error = %v, want all-zero refusal", err)
	}
	if _, err := keys.NewKEK(bytes.NewReader(raw[:31])); err == nil {
		t.Error("NewKEK with a short reader succeeded")
	}
	a, err := keys.NewKEK(nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := keys.NewKEK(nil)
	if a.ID() == b.ID() {
		t.Error("two random KEKs share an id")
	}
}

func writeFile(t *testing.T, path, text string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // defeat the umask
		t.Fatal(err)
	}
}

func TestLoadKEKFile(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		text    string
		mode    os.FileMode
		unix    bool // the case depends on Unix permission bits
		wantErr string
	}{
		{name: "hex newline", text: kekSeq + "\n", mode: 0o600},
		{name: "owner read only", text: kekSeq, mode: 0o400},
		{name: "base64 crlf", text: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\r\n", mode: 0o600},
		{name: "group readable", text: kekSeq, mode: 0o640, unix: true, wantErr: "chmod 600"},
		{name: "world readable", text: kekSeq, mode: 0o644, unix: true, wantErr: "mode 0644 grants access to group or others"},
		{name: "group writable", text: kekSeq, mode: 0o620, unix: true, wantErr: "chmod 600"},
		{name: "garbage", text: "not a key at all\n", mode: 0o600, wantErr: "have 16 characters"},
		{name: "empty", text: "", mode: 0o600, wantErr: "empty"},
		{name: "too large", text: strings.Repeat(" ", 5000), mode: 0o600, wantErr: "larger than 4096 bytes"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.unix && runtime.GOOS == "windows" {
				t.Skip("no Unix permission bits")
			}
			path := filepath.Join(dir, fmt.Sprintf("kek%d", i))
			writeFile(t, path, tt.text, tt.mode)
			k, err := keys.LoadKEKFile(path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("LoadKEKFile error = %v, want containing %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "not a key") || strings.Contains(err.Error(), "000102") {
					t.Errorf("error %q repeats the file's contents", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadKEKFile: %v", err)
			}
			if k.ID() != "7f88a339" {
				t.Fatalf("ID() = %s, want 7f88a339", k.ID())
			}
		})
	}

	t.Run("missing", func(t *testing.T) {
		_, err := keys.LoadKEKFile(filepath.Join(dir, "absent"))
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("error = %v, want fs.ErrNotExist", err)
		}
	})
	t.Run("directory", func(t *testing.T) {
		sub := filepath.Join(dir, "sub")
		if err := os.Mkdir(sub, 0o700); err != nil {
			t.Fatal(err)
		}
		if _, err := keys.LoadKEKFile(sub); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Fatalf("error = %v, want not a regular file", err)
		}
	})
}

func TestEnsureKEKFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "data", "secrets", "kek")
	raw, _ := hex.DecodeString(kekSeq)

	k, created, err := keys.EnsureKEKFile(path, bytes.NewReader(raw))
	if err != nil || !created {
		t.Fatalf("EnsureKEKFile(new) = %v, %v, %v; want created", k, created, err)
	}
	if k.ID() != "7f88a339" {
		t.Fatalf("ID() = %s, want the KEK read from r", k.ID())
	}
	if runtime.GOOS != "windows" {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("file mode = %v, %v; want 0600", fi.Mode(), err)
		}
		if fi, err := os.Stat(filepath.Dir(path)); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("dir mode = %v, %v; want 0700", fi.Mode(), err)
		}
	}
	if text, err := os.ReadFile(path); err != nil || string(text) != kekSeq+"\n" {
		t.Errorf("file holds %q, %v; want the hex KEK and a newline", text, err)
	}

	// A second call loads the file and does not read r.
	k2, created, err := keys.EnsureKEKFile(path, bytes.NewReader(nil))
	if err != nil || created || k2.ID() != k.ID() {
		t.Fatalf("EnsureKEKFile(existing) = %v, %v, %v; want the same KEK, not created", k2, created, err)
	}

	// A random KEK by default.
	k3, created, err := keys.EnsureKEKFile(filepath.Join(dir, "other"), nil)
	if err != nil || !created || k3.ID() == k.ID() {
		t.Fatalf("EnsureKEKFile(nil reader) = %v, %v, %v", k3, created, err)
	}

	// A failing reader creates nothing.
	bad := filepath.Join(dir, "bad")
	if _, _, err := keys.EnsureKEKFile(bad, bytes.NewReader(raw[:5])); err == nil {
		t.Fatal("EnsureKEKFile with a short reader succeeded")
	}
	if _, err := os.Stat(bad); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a failed EnsureKEKFile left a file: %v", err)
	}

	// A parent that is a file: the error is returned, nothing is created.
	if _, _, err := keys.EnsureKEKFile(filepath.Join(path, "kek"), nil); err == nil || !strings.Contains(err.Error(), "keys: ") {
		t.Fatalf("EnsureKEKFile under a file = %v, want an error", err)
	}

	if runtime.GOOS != "windows" {
		// An existing file with loose permissions is refused, not replaced.
		loose := filepath.Join(dir, "loose")
		writeFile(t, loose, kekSeq, 0o644)
		if _, _, err := keys.EnsureKEKFile(loose, nil); err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Fatalf("EnsureKEKFile(loose) error = %v, want chmod advice", err)
		}
		if text, _ := os.ReadFile(loose); string(text) != kekSeq {
			t.Fatal("EnsureKEKFile replaced an existing file")
		}
	}
}
