package cpix_test

import (
	"encoding/base64"
	"reflect"
	"testing"

	"github.com/lockstream/lockstream/internal/cpix"
)

func cpixB64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// FuzzParse: Parse never panics, and whatever it accepts (without
// recipients) it writes back to a document that parses to the same model.
func FuzzParse(f *testing.F) {
	f.Add([]byte(request))
	f.Add([]byte(`<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix"/>`))
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "b">]><x/>`))
	f.Add([]byte(`<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix"><cpix:ContentKeyPeriodList><cpix:ContentKeyPeriod id="p" index="3" start="2026-01-01T00:00:00Z" end="2026-01-01T00:00:10Z"/></cpix:ContentKeyPeriodList></cpix:CPIX>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := cpix.Parse(b)
		if err != nil || len(d.DeliveryData) > 0 {
			return
		}
		out, err := d.Marshal()
		if err != nil {
			t.Fatalf("marshal parsed document: %v", err)
		}
		d2, err := cpix.Parse(out)
		if err != nil {
			t.Fatalf("reparse: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(normalize(d), normalize(d2)) {
			t.Fatalf("round trip differs:\n%+v\n%+v", d, d2)
		}
	})
}

// normalize maps what the writer canonicalises (times to UTC).
func normalize(d *cpix.Document) *cpix.Document {
	for i, p := range d.Periods {
		if p.Start != nil {
			u := p.Start.UTC()
			d.Periods[i].Start = &u
		}
		if p.End != nil {
			u := p.End.UTC()
			d.Periods[i].End = &u
		}
	}
	return d
}
