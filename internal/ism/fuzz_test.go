package ism_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/lockstream/lockstream/internal/ism"
)

// FuzzParse checks that Parse never panics, that every failure wraps one of
// the package's sentinels, and that an accepted manifest round-trips:
// Parse(Marshal(m)) equals m and Marshal is stable.
//
// Corpus entries in testdata/fuzz/FuzzParse/ reproduce these findings:
//
//   - (none so far)
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.ism"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"",
		"<smil/>",
		doc(`<video src="v.mp4" systemBitrate="1"/>`),
		doc(`<textstream src="t" systemLanguage="en"><param name="x" value="&lt;&#9;"/></textstream>`),
		doc(`<audio src="../a.mp4" systemBitrate="1"/>`),
		doc(`<audio src="a.mp4" systemBitrate="-1"/>`),
		doc(`<video src="v" systemBitrate="1"><param name="trackID" value="0"/></video>`),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		m, err := ism.Parse(bytes.NewReader(in))
		if err != nil {
			if m != nil {
				t.Fatal("Parse returned a manifest and an error")
			}
			if !errors.Is(err, ism.ErrMalformed) && !errors.Is(err, ism.ErrInvalid) && !errors.Is(err, ism.ErrTooLarge) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			if len(err.Error()) > 600 {
				t.Fatalf("error of %d bytes", len(err.Error()))
			}
			return
		}
		out, err := ism.Marshal(m)
		if err != nil {
			t.Fatalf("Marshal of a parsed manifest: %v", err)
		}
		back, err := ism.Parse(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("Parse(Marshal(m)): %v\n%s", err, out)
		}
		if !reflect.DeepEqual(back, m) {
			t.Fatalf("round trip\n got %+v\nwant %+v", back, m)
		}
		again, err := ism.Marshal(back)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("Marshal not stable: %v", err)
		}
	})
}
