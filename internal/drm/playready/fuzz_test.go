package playready_test

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/lockstream/lockstream/internal/drm/playready"
	"github.com/lockstream/lockstream/internal/keys"
)

func seedObjects(f *testing.F) [][]byte {
	f.Helper()
	kid1, kid2 := keys.KID{0x33, 0x9c, 15: 1}, keys.KID{0x8b, 0xa9, 15: 2}
	key := keys.Key{1, 2, 3}
	var out [][]byte
	for _, h := range []playready.Header{
		{Version: playready.Version40, Algorithm: playready.AESCTR, Keys: []playready.HeaderKey{{KID: kid1, Key: &key}},
			LAURL: "https://lic.example.com/pr?a=1&b=2", CustomAttributes: "<IIS_DRM_VERSION>8</IIS_DRM_VERSION>"},
		{Version: playready.Version41, Algorithm: playready.AESCTR, Keys: []playready.HeaderKey{{KID: kid1}}, DecryptorSetup: "ONDEMAND"},
		{Version: playready.Version42, Algorithm: playready.AESCTR, Keys: []playready.HeaderKey{{KID: kid1, Key: &key}, {KID: kid2}},
			DSID: "AH+03juKbUGbHl1V/QIwRA==", LUIURL: "https://ui.example.com/"},
		{Version: playready.Version43, Algorithm: playready.AESCBC, Keys: []playready.HeaderKey{{KID: kid2}},
			CustomAttributes: `<a xmlns:p="urn:p" p:x="1">t😀</a>`},
	} {
		pro, err := h.Object()
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, pro)
	}
	return out
}

// FuzzParseObject checks that PROs from init segments and CPIX documents
// never panic the parsers; that an accepted PRO re-encodes to the same
// bytes; and that a header read from it survives Marshal and ParseHeader
// unchanged.
//
// Corpus in testdata/fuzz/FuzzParseObject: license-store-then-header (a
// header record after an embedded license store, with a non-canonical
// header that must come back canonical).
func FuzzParseObject(f *testing.F) {
	for _, pro := range seedObjects(f) {
		f.Add(pro)
	}
	f.Add([]byte{0x0a, 0, 0, 0, 1, 0, 3, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		records, err := playready.ParseObject(b)
		if err != nil {
			return
		}
		out, err := playready.MarshalObject(records)
		if err != nil {
			t.Fatalf("accepted PRO does not re-encode: %v", err)
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("round trip changed bytes\n in %x\nout %x", b, out)
		}
		text, err := playready.HeaderFromObject(b)
		if err != nil {
			return
		}
		checkHeaderRoundTrip(t, text)
	})
}

// FuzzParseHeader does the same for WRMHEADER text, which arrives base64
// encoded in DASH mspr:pro elements and Smooth manifests.
//
// Corpus in testdata/fuzz/FuzzParseHeader: utf16-prolog-noncanonical (a
// UTF-16 encoding declaration, self-closing and unsorted custom attributes)
// and two-customattributes-elements (repeated elements; ParseHeader keeps
// one and the round trip must still hold). Markup injected through
// Header.CustomAttributes is refused at Marshal (TestCustomAttributes).
func FuzzParseHeader(f *testing.F) {
	for _, pro := range seedObjects(f) {
		text, err := playready.HeaderFromObject(pro)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(text)
	}
	f.Add(`<WRMHEADER xmlns="http://schemas.microsoft.com/DRM/2007/03/PlayReadyHeader" version="4.3.0.0"><DATA><PROTECTINFO><KIDS><KID VALUE="3kqpi7lunUS0T6W+769DsA==" /></KIDS></PROTECTINFO><CUSTOMATTRIBUTES><!--c--><a/>&amp;</CUSTOMATTRIBUTES></DATA></WRMHEADER>`)
	f.Fuzz(func(t *testing.T, text string) {
		checkHeaderRoundTrip(t, text)
	})
}

// checkHeaderRoundTrip: whatever ParseHeader accepts, Marshal writes, and
// that canonical text parses back to the same header and is a fixed point.
func checkHeaderRoundTrip(t *testing.T, text string) {
	t.Helper()
	h, err := playready.ParseHeader(text)
	if err != nil {
		return
	}
	canon, err := h.Marshal()
	if err != nil {
		t.Fatalf("accepted header does not marshal: %v\n%s", err, text)
	}
	h2, err := playready.ParseHeader(canon)
	if err != nil {
		t.Fatalf("canonical header rejected: %v\n%s", err, canon)
	}
	if !reflect.DeepEqual(h, h2) {
		t.Fatalf("round trip changed the header\n%+v\n%+v", h, h2)
	}
	if canon2, err := h2.Marshal(); err != nil || canon2 != canon {
		t.Fatalf("canonical form is not a fixed point\n%s\n%s", canon, canon2)
	}
	if _, err := h.Object(); err != nil && len(canon) < 7000 {
		t.Fatalf("small header does not fit a PRO: %v", err)
	}
}
