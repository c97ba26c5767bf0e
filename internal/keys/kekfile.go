package keys

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// maxKEKFile bounds how much of a KEK file is read; the text is at most a
// few dozen bytes plus white space.
const maxKEKFile = 4096

// LoadKEKFile reads a KEK from the file at path, which holds the text that
// [ParseKEK] accepts (surrounding white space, such as a final newline, is
// ignored). Except on Windows, it refuses a file whose permission bits grant
// anything to group or others (mode&0o077 != 0); the error says how to fix
// it. A missing file yields an error matching [fs.ErrNotExist].
func LoadKEKFile(path string) (KEK, error) {
	f, err := os.Open(path)
	if err != nil {
		return KEK{}, fmt.Errorf("keys: load kek: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return KEK{}, fmt.Errorf("keys: load kek: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return KEK{}, fmt.Errorf("keys: load kek %s: not a regular file", path)
	}
	if perm := fi.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return KEK{}, fmt.Errorf("keys: load kek %s: file mode %04o grants access to group or others; "+
			"restrict it with: chmod 600 %s (for a mounted secret, set its mode to 0400)", path, perm, path)
	}
	buf := make([]byte, maxKEKFile+1)
	defer clear(buf)
	n, err := io.ReadFull(f, buf)
	switch {
	case err == nil:
		return KEK{}, fmt.Errorf("keys: load kek %s: file larger than %d bytes", path, maxKEKFile)
	case !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF):
		return KEK{}, fmt.Errorf("keys: load kek: %w", err)
	}
	k, err := parseKEK(string(buf[:n]))
	if err != nil {
		return KEK{}, fmt.Errorf("keys: load kek %s: %w", path, err)
	}
	return k, nil
}

// EnsureKEKFile loads the KEK at path or, when the file does not exist,
// creates it holding a new random KEK from r (nil means crypto/rand.Reader),
// with mode 0600 and any missing parent directories with mode 0700. It
// reports whether it created the file. This is the development default,
// a KEK kept beside the data it protects; production should supply the KEK
// from a secret store.
//
// The file is written with O_EXCL and synced, together with its directory,
// before EnsureKEKFile returns, so that no blob is ever sealed under a KEK
// that a crash could lose. Two processes creating the same file at once do
// not overwrite each other, but the loser may read a partly written file
// and fail.
func EnsureKEKFile(path string, r io.Reader) (KEK, bool, error) {
	k, err := LoadKEKFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return k, false, err
	}
	k, err = NewKEK(r)
	if err != nil {
		return KEK{}, false, err
	}
	switch err := writeKEKFile(path, k); {
	case errors.Is(err, fs.ErrExist):
		k, err := LoadKEKFile(path)
		return k, false, err
	case err != nil:
		return KEK{}, false, fmt.Errorf("keys: create kek file: %w", err)
	}
	return k, true, nil
}

func writeKEKFile(path string, k KEK) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(path)
		}
	}()
	text := make([]byte, 2*KEKSize+1)
	defer clear(text)
	hex.Encode(text, k.key[:])
	text[len(text)-1] = '\n'
	if _, err := f.Write(text); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a new directory entry durable. Windows cannot sync a
// directory and does not need to.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
