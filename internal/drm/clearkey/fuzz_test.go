package clearkey_test

import (
	"reflect"
	"testing"

	"github.com/lockstream/lockstream/internal/drm/clearkey"
)

// FuzzParseRequest checks that ParseRequest never panics on network input
// and that anything it accepts is a request it can reproduce: encoding the
// result and parsing it again gives the same key IDs and type.
//
// Corpus in testdata/fuzz/FuzzParseRequest: repeated-type-member (refused,
// where encoding/json would keep the last), duplicate-kids (answered once),
// kid-with-trailing-bits (refused: not the canonical encoding).
func FuzzParseRequest(f *testing.F) {
	for _, s := range []string{
		`{"kids":["AQEBAQEBAQEBAQEBAQEBAQ"],"type":"temporary"}`,
		`{"type":"persistent-license","kids":["AQEBAQEBAQEBAQEBAQEBAQ","-_-_AAAAAAAAAAAAAAAA_w"]}`,
		`{"kids":["AQEBAQEBAQEBAQEBAQEBAQ=="],"type":"temporary"}`,
		`{"kids":[],"type":"temporary"}`,
		`{"kids":["AQEBAQEBAQEBAQEBAQEBAQ"],"type":"temporary","type":"x"}`,
		`{"kids":["AQEBAQEBAQEBAQEBAQEBAQ"]}`,
		`{"kids":[null,1,true,{}],"type":"temporary"}`,
		`{"\u006bids":["AQEBAQEBAQEBAQEBAQEBAQ"],"type":"temporary"} `,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		kids, typ, err := clearkey.ParseRequest(body)
		if err != nil {
			if kids != nil || typ != "" {
				t.Fatalf("error %v with results %v %q", err, kids, typ)
			}
			return
		}
		if len(kids) == 0 || len(kids) > clearkey.MaxRequestKIDs {
			t.Fatalf("accepted %d kids", len(kids))
		}
		if typ != clearkey.Temporary && typ != clearkey.PersistentLicense {
			t.Fatalf("accepted type %q", typ)
		}
		kids2, typ2, err := clearkey.ParseRequest(clearkey.Request(kids, typ))
		if err != nil {
			t.Fatalf("re-encoded request rejected: %v", err)
		}
		if !reflect.DeepEqual(kids, kids2) || typ != typ2 {
			t.Fatalf("round trip: %v %q -> %v %q", kids, typ, kids2, typ2)
		}
	})
}
