package ism_test

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/ism"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func video(src string, bitrate uint64) ism.Entry {
	return ism.Entry{Kind: ism.KindVideo, Src: src, SystemBitrate: bitrate, TrackID: 1, TrackName: "video"}
}

func audio(src string, lang, name string, id uint32) ism.Entry {
	return ism.Entry{Kind: ism.KindAudio, Src: src, SystemBitrate: 128041, Language: lang, TrackID: id, TrackName: name}
}

func parseFile(t *testing.T, name string) (*ism.Manifest, []byte) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := ism.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return m, b
}

func TestParseAMSExamples(t *testing.T) {
	t.Run("multibitrate", func(t *testing.T) {
		m, raw := parseFile(t, "multibitrate.ism")
		want := &ism.Manifest{
			Meta: ism.DefaultMeta(),
			Entries: []ism.Entry{
				video("BigBuckBunny_1920x1080_AACAudio_6750.mp4", 6750000),
				video("BigBuckBunny_1280x720_AACAudio_3400.mp4", 3400000),
				video("BigBuckBunny_960x540_AACAudio_2250.mp4", 2250000),
				video("BigBuckBunny_640x360_AACAudio_1000.mp4", 1000000),
				audio("BigBuckBunny_AACAudio_eng.mp4", "eng", "aac_eng_2_128041_2_1", 1),
				audio("BigBuckBunny_AACAudio_fra.mp4", "fra", "aac_fra_2_128041_2_1", 1),
			},
		}
		if !reflect.DeepEqual(m, want) {
			t.Fatalf("got  %+v\nwant %+v", m, want)
		}
		// The file is in Marshal's dialect, so Marshal reproduces it
		// byte for byte.
		out, err := ism.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, raw) {
			t.Errorf("Marshal differs from the input:\n%s", out)
		}
	})
	t.Run("media encoder standard, BOM, CRLF", func(t *testing.T) {
		m, _ := parseFile(t, "mes_muxed_bom_crlf.ism")
		want := &ism.Manifest{
			Meta: []ism.Meta{{Name: "formats", Content: "mp4-v3"}, {Name: "clientManifestRelativePath", Content: "Sintel.ismc"}},
			Entries: []ism.Entry{
				video("Sintel_1280x720_3400.mp4", 3400000),
				video("Sintel_640x360_1000.mp4", 1000000),
				{Kind: ism.KindAudio, Src: "Sintel_1280x720_3400.mp4", SystemBitrate: 128000, Language: "eng", TrackID: 2, TrackName: "aac_eng_2_128000_2_1"},
				{Kind: ism.KindAudio, Src: "Sintel_1280x720_3400.mp4", SystemBitrate: 96000, Language: "deu", TrackID: 3, TrackName: "aac_deu_2_96000_3_1",
					Params: map[string]string{"accessibility": "main"}},
				{Kind: ism.KindTextStream, Src: "subtitles/Sintel_eng.ismt", Language: "eng", TrackName: "subtitles_eng"},
			},
		}
		if !reflect.DeepEqual(m, want) {
			t.Fatalf("got  %+v\nwant %+v", m, want)
		}
		out, err := ism.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", "mes_muxed_bom_crlf.golden.ism")
		if *update {
			if err := os.WriteFile(golden, out, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		g, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if !bytes.Equal(out, g) {
			t.Errorf("Marshal differs from %s (run with -update if intended):\n%s", golden, out)
		}
		roundTrip(t, m)
	})
}

// roundTrip asserts Parse(Marshal(m)) == m and that marshalling again gives
// the same bytes.
func roundTrip(t testing.TB, m *ism.Manifest) {
	t.Helper()
	out, err := ism.Marshal(m)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	back, err := ism.Parse(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("Parse(Marshal(m)): %v\n%s", err, out)
	}
	if !reflect.DeepEqual(back, m) {
		t.Fatalf("round trip\n got %+v\nwant %+v\n%s", back, m, out)
	}
	again, err := ism.Marshal(back)
	if err != nil || !bytes.Equal(again, out) {
		t.Fatalf("Marshal not stable: %v\n%s\n%s", err, out, again)
	}
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		m    *ism.Manifest
	}{
		{"minimal, no head", &ism.Manifest{Entries: []ism.Entry{{Kind: ism.KindVideo, Src: "v.mp4"}}}},
		{"text stream without bitrate", &ism.Manifest{Meta: ism.DefaultMeta(), Entries: []ism.Entry{
			video("v.mp4", 1), {Kind: ism.KindTextStream, Src: "t.ismt", SystemBitrate: 0}}}},
		{"text stream with bitrate", &ism.Manifest{Entries: []ism.Entry{{Kind: ism.KindTextStream, Src: "t.ismt", SystemBitrate: 1000}}}},
		{"max values", &ism.Manifest{Entries: []ism.Entry{{Kind: ism.KindAudio, Src: "a.mp4",
			SystemBitrate: 18446744073709551615, TrackID: 4294967295}}}},
		{"escaping", &ism.Manifest{
			Meta: []ism.Meta{{Name: `n"&<>'`, Content: "tab\tcr\rlf\n end "}},
			Entries: []ism.Entry{{Kind: ism.KindAudio, Src: "dir/sub dir/a&b 'c' <d>.mp4", SystemBitrate: 5,
				Language: " en\t", TrackName: "a \"quoted\" <name>\r\n", Params: map[string]string{"z": "", "a&b": "\x09", "Ünïcödé": "日本語 🎬"}}}}},
		{"params sorted", &ism.Manifest{Entries: []ism.Entry{{Kind: ism.KindVideo, Src: "v.mp4", SystemBitrate: 1,
			Params: map[string]string{"b": "2", "a": "1", "C": "3"}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { roundTrip(t, tt.m) })
	}
}

func TestMarshalLayout(t *testing.T) {
	m := &ism.Manifest{Entries: []ism.Entry{
		{Kind: ism.KindVideo, Src: "v.mp4", SystemBitrate: 1},
		{Kind: ism.KindTextStream, Src: "t.ismt", Params: map[string]string{"b": "2", "a": "1"}},
	}}
	out, err := ism.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	want := `<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<smil xmlns="http://www.w3.org/2001/SMIL20/Language">
  <head />
  <body>
    <switch>
      <video src="v.mp4" systemBitrate="1" />
      <textstream src="t.ismt">
        <param name="a" value="1" valuetype="data" />
        <param name="b" value="2" valuetype="data" />
      </textstream>
    </switch>
  </body>
</smil>
`
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

// doc wraps switch content in a complete manifest.
func doc(items string) string {
	return `<?xml version="1.0" encoding="utf-8"?><smil xmlns="http://www.w3.org/2001/SMIL20/Language"><head/><body><switch>` +
		items + `</switch></body></smil>`
}

func TestParseInvalid(t *testing.T) {
	v := func(attrs string) string { return doc(`<video ` + attrs + ` />`) }
	p := func(params string) string { return doc(`<video src="v.mp4" systemBitrate="1">` + params + `</video>`) }
	tests := []struct {
		name string
		in   string
		want error
		msg  string
	}{
		{"empty", "", ism.ErrMalformed, "EOF"},
		{"not xml", "hello", ism.ErrMalformed, ""},
		{"unclosed", `<smil><body><switch><video src="v.mp4" systemBitrate="1">`, ism.ErrMalformed, ""},
		{"wrong root", `<html><body/></html>`, ism.ErrMalformed, "smil"},
		{"utf-16 declared", `<?xml version="1.0" encoding="utf-16"?><smil/>`, ism.ErrMalformed, "utf-16"},
		{"no body", `<smil><head/></smil>`, ism.ErrMalformed, "one <body>"},
		{"no switch", `<smil><body/></smil>`, ism.ErrMalformed, "one <switch>"},
		{"two switches", `<smil><body><switch><video src="v" systemBitrate="1"/></switch><switch/></body></smil>`, ism.ErrMalformed, "one <switch>"},
		{"two bodies", `<smil><body><switch><video src="v" systemBitrate="1"/></switch></body><body/></smil>`, ism.ErrMalformed, "one <body>"},
		{"trailing element", doc(`<video src="v" systemBitrate="1"/>`) + `<smil/>`, ism.ErrMalformed, "after </smil>"},
		{"trailing text", doc(`<video src="v" systemBitrate="1"/>`) + `junk`, ism.ErrMalformed, "after </smil>"},
		{"undefined entity", doc(`<video src="&foo;" systemBitrate="1"/>`), ism.ErrMalformed, ""},
		{"control char ref", doc(`<video src="a&#1;.mp4" systemBitrate="1"/>`), ism.ErrMalformed, ""},
		{"duplicate attribute", v(`src="a.mp4" src="b.mp4" systemBitrate="1"`), ism.ErrMalformed, "repeated attribute"},
		{"empty switch", doc(``), ism.ErrInvalid, "no video"},
		{"unknown element", doc(`<ref src="a.mp4"/>`), ism.ErrInvalid, "unsupported element"},
		{"missing src", v(`systemBitrate="1"`), ism.ErrInvalid, "missing src"},
		{"empty src", v(`src="" systemBitrate="1"`), ism.ErrInvalid, "empty"},
		{"dotdot src", v(`src=".." systemBitrate="1"`), ism.ErrInvalid, `".." segment`},
		{"climbing src", v(`src="../other/v.mp4" systemBitrate="1"`), ism.ErrInvalid, `".." segment`},
		{"inner dotdot src", v(`src="a/../../v.mp4" systemBitrate="1"`), ism.ErrInvalid, `".." segment`},
		{"dot src", v(`src="./v.mp4" systemBitrate="1"`), ism.ErrInvalid, `"." segment`},
		{"absolute src", v(`src="/etc/passwd" systemBitrate="1"`), ism.ErrInvalid, "absolute"},
		{"windows src", v(`src="C:\v.mp4" systemBitrate="1"`), ism.ErrInvalid, "absolute path or URL"},
		{"backslash src", v(`src="a\..\v.mp4" systemBitrate="1"`), ism.ErrInvalid, "absolute path or URL"},
		{"url src", v(`src="https://evil.example/v.mp4" systemBitrate="1"`), ism.ErrInvalid, "absolute path or URL"},
		{"empty segment src", v(`src="a//v.mp4" systemBitrate="1"`), ism.ErrInvalid, "empty path segment"},
		{"tab in src", v(`src="a&#9;.mp4" systemBitrate="1"`), ism.ErrInvalid, "control"},
		{"long src", v(`src="` + strings.Repeat("a", 1025) + `" systemBitrate="1"`), ism.ErrInvalid, "longer than 1024"},
		{"missing bitrate", v(`src="v.mp4"`), ism.ErrInvalid, "missing systemBitrate"},
		{"audio missing bitrate", doc(`<audio src="a.mp4"/>`), ism.ErrInvalid, "missing systemBitrate"},
		{"empty bitrate", v(`src="v.mp4" systemBitrate=""`), ism.ErrInvalid, "empty number"},
		{"negative bitrate", v(`src="v.mp4" systemBitrate="-1"`), ism.ErrInvalid, "unsigned decimal"},
		{"plus bitrate", v(`src="v.mp4" systemBitrate="+1"`), ism.ErrInvalid, "unsigned decimal"},
		{"float bitrate", v(`src="v.mp4" systemBitrate="1.5"`), ism.ErrInvalid, "unsigned decimal"},
		{"spaced bitrate", v(`src="v.mp4" systemBitrate=" 1"`), ism.ErrInvalid, "unsigned decimal"},
		{"overflow bitrate", v(`src="v.mp4" systemBitrate="18446744073709551616"`), ism.ErrInvalid, "out of range"},
		{"text bitrate bad", doc(`<textstream src="t" systemBitrate="x"/>`), ism.ErrInvalid, "systemBitrate"},
		{"trackID zero", p(`<param name="trackID" value="0"/>`), ism.ErrInvalid, "trackID"},
		{"trackID text", p(`<param name="trackID" value="one"/>`), ism.ErrInvalid, "trackID"},
		{"trackID overflow", p(`<param name="trackID" value="4294967296"/>`), ism.ErrInvalid, "trackID"},
		{"trackID repeated", p(`<param name="trackID" value="1"/><param name="TRACKID" value="2"/>`), ism.ErrInvalid, "repeated trackID"},
		{"trackName repeated", p(`<param name="trackName" value="a"/><param name="trackName" value="b"/>`), ism.ErrInvalid, "repeated trackName"},
		{"trackName empty", p(`<param name="trackName" value=""/>`), ism.ErrInvalid, "empty trackName"},
		{"param without value", p(`<param name="x"/>`), ism.ErrInvalid, "needs name and value"},
		{"param without name", p(`<param value="x"/>`), ism.ErrInvalid, "needs name and value"},
		{"param empty name", p(`<param name="" value="x"/>`), ism.ErrInvalid, "empty name"},
		{"param repeated", p(`<param name="x" value="1"/><param name="x" value="2"/>`), ism.ErrInvalid, "repeated param"},
		{"meta without name", `<smil><head><meta content="x"/></head><body><switch><video src="v" systemBitrate="1"/></switch></body></smil>`, ism.ErrInvalid, "no name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ism.Parse(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("Parse = %+v; want an error", m)
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("error %q does not wrap %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
			if len(err.Error()) > 400 {
				t.Errorf("error is %d bytes long", len(err.Error()))
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *ism.Manifest
	}{
		{"no namespace, no head, leading zeros, unknown attributes ignored",
			`<smil><body><switch><video src="v.mp4" systemBitrate="0100" foo="bar"><param name="trackID" value="02" valuetype="data"/><other/></video></switch></body></smil>`,
			&ism.Manifest{Entries: []ism.Entry{{Kind: ism.KindVideo, Src: "v.mp4", SystemBitrate: 100, TrackID: 2}}}},
		{"param names case-insensitive, comments and trailing white space",
			`<!-- x --><smil><body><switch><audio src="a.mp4" systemBitrate="1" systemLanguage=""><param name="TRACKNAME" value="aud"/></audio></switch></body></smil>` + "\n<!-- end -->\n\t",
			&ism.Manifest{Entries: []ism.Entry{{Kind: ism.KindAudio, Src: "a.mp4", SystemBitrate: 1, TrackName: "aud"}}}},
		{"entities decoded",
			`<smil><body><switch><video src="a&amp;b&#32;c.mp4" systemBitrate="1"/></switch></body></smil>`,
			&ism.Manifest{Entries: []ism.Entry{{Kind: ism.KindVideo, Src: "a&b c.mp4", SystemBitrate: 1}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ism.Parse(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(m, tt.want) {
				t.Fatalf("got  %+v\nwant %+v", m, tt.want)
			}
			roundTrip(t, m)
		})
	}
}

func TestParseSizeLimit(t *testing.T) {
	base := doc(`<video src="v.mp4" systemBitrate="1"/>`)
	pad := func(n int) string { return base + strings.Repeat(" ", n-len(base)) }
	if _, err := ism.Parse(strings.NewReader(pad(ism.MaxSize))); err != nil {
		t.Errorf("exactly MaxSize: %v", err)
	}
	if _, err := ism.Parse(strings.NewReader(pad(ism.MaxSize + 1))); !errors.Is(err, ism.ErrTooLarge) {
		t.Errorf("MaxSize+1: err = %v; want ErrTooLarge", err)
	}
	// The reader is not drained beyond the limit.
	r := &countingReader{}
	if _, err := ism.Parse(io.LimitReader(r, 1<<30)); !errors.Is(err, ism.ErrTooLarge) {
		t.Errorf("endless input: err = %v", err)
	}
	if r.n > ism.MaxSize+64*1024 {
		t.Errorf("read %d bytes of an endless input", r.n)
	}
}

type countingReader struct{ n int }

func (c *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	c.n += len(p)
	return len(p), nil
}

type failingReader struct{}

var errBoom = errors.New("boom")

func (failingReader) Read([]byte) (int, error) { return 0, errBoom }

func TestParseReadError(t *testing.T) {
	_, err := ism.Parse(failingReader{})
	if !errors.Is(err, errBoom) || !strings.HasPrefix(err.Error(), "ism: read: ") {
		t.Errorf("err = %v", err)
	}
}

func TestMarshalInvalid(t *testing.T) {
	ok := func() ism.Entry { return ism.Entry{Kind: ism.KindVideo, Src: "v.mp4", SystemBitrate: 1} }
	with := func(f func(e *ism.Entry)) *ism.Manifest {
		e := ok()
		f(&e)
		return &ism.Manifest{Entries: []ism.Entry{e}}
	}
	tests := []struct {
		name string
		m    *ism.Manifest
	}{
		{"nil", nil},
		{"no entries", &ism.Manifest{Meta: ism.DefaultMeta()}},
		{"meta without name", &ism.Manifest{Meta: []ism.Meta{{Content: "x"}}, Entries: []ism.Entry{ok()}}},
		{"meta bad char", &ism.Manifest{Meta: []ism.Meta{{Name: "a", Content: "\x00"}}, Entries: []ism.Entry{ok()}}},
		{"bad kind", with(func(e *ism.Entry) { e.Kind = "image" })},
		{"empty kind", with(func(e *ism.Entry) { e.Kind = "" })},
		{"empty src", with(func(e *ism.Entry) { e.Src = "" })},
		{"climbing src", with(func(e *ism.Entry) { e.Src = "../v.mp4" })},
		{"noncharacter src", with(func(e *ism.Entry) { e.Src = "v\uFFFE.mp4" })},
		{"invalid utf-8 language", with(func(e *ism.Entry) { e.Language = "\xff" })},
		{"control in track name", with(func(e *ism.Entry) { e.TrackName = "a\x01" })},
		{"trackID in params", with(func(e *ism.Entry) { e.Params = map[string]string{"trackid": "1"} })},
		{"trackName in params", with(func(e *ism.Entry) { e.Params = map[string]string{"TrackName": "x"} })},
		{"empty param name", with(func(e *ism.Entry) { e.Params = map[string]string{"": "x"} })},
		{"bad param value", with(func(e *ism.Entry) { e.Params = map[string]string{"x": "\uFFFF"} })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := ism.Marshal(tt.m)
			if !errors.Is(err, ism.ErrInvalid) {
				t.Fatalf("Marshal = %q, %v; want ErrInvalid", out, err)
			}
		})
	}
}
