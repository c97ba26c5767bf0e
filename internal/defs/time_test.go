package defs_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
)

func TestTimeMarshal(t *testing.T) {
	tests := []struct {
		name string
		in   time.Time
		want string
	}{
		{"ams example", time.Date(2018, 8, 8, 18, 29, 32, 785942400, time.UTC), `"2018-08-08T18:29:32.7859424Z"`},
		{"whole seconds keep seven digits", time.Date(2018, 8, 8, 18, 29, 32, 0, time.UTC), `"2018-08-08T18:29:32.0000000Z"`},
		{"converted to UTC", time.Date(2018, 8, 8, 20, 29, 32, 0, time.FixedZone("CEST", 2*3600)), `"2018-08-08T18:29:32.0000000Z"`},
		{"nanoseconds truncated", time.Date(2018, 1, 1, 0, 0, 0, 123456789, time.UTC), `"2018-01-01T00:00:00.1234567Z"`},
		{"max end time", time.Date(9999, 12, 31, 23, 59, 59, 999999900, time.UTC), `"9999-12-31T23:59:59.9999999Z"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(defs.Time{Time: tt.in})
			requireNoError(t, err)
			if string(got) != tt.want {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
		})
	}
	if _, err := json.Marshal(defs.Time{Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}); err == nil {
		t.Fatal("year 10000 encoded")
	}
}

func TestTimeUnmarshal(t *testing.T) {
	want := time.Date(2018, 8, 8, 18, 29, 32, 785942400, time.UTC)
	for _, in := range []string{
		`"2018-08-08T18:29:32.7859424Z"`,
		`"2018-08-08T20:29:32.7859424+02:00"`,
		`"2018-08-08T18:29:32.785942400Z"`,
		`"2018-08-08T18:29:32.7859424"`, // no zone: UTC
	} {
		var got defs.Time
		requireNoError(t, json.Unmarshal([]byte(in), &got))
		if !got.Equal(want) {
			t.Errorf("%s: got %v", in, got)
		}
	}
	var got defs.Time
	requireNoError(t, json.Unmarshal([]byte(`"2018-08-08T18:29:32Z"`), &got))
	if !got.Equal(time.Date(2018, 8, 8, 18, 29, 32, 0, time.UTC)) {
		t.Errorf("no fraction: %v", got)
	}
}

func TestTimeUnmarshalErrorsNameTheField(t *testing.T) {
	type body struct {
		Properties struct {
			StartTime *defs.Time `json:"startTime"`
		} `json:"properties"`
	}
	for _, in := range []string{
		`{"properties":{"startTime":"yesterday"}}`,
		`{"properties":{"startTime":12}}`,
		`{"properties":{"startTime":"0000-01-01T00:00:00+01:00"}}`,
	} {
		err := defs.Decode([]byte(in), new(body))
		requireFieldError(t, err, "properties.startTime", "RFC 3339")
	}
	var b body
	requireNoError(t, defs.Decode([]byte(`{"properties":{"startTime":null}}`), &b))
	if b.Properties.StartTime != nil {
		t.Fatal("null decoded to a time")
	}
}

func TestBase64(t *testing.T) {
	type body struct {
		Key  defs.Base64 `json:"key"`
		Opt  defs.Base64 `json:"opt,omitempty"`
		Deep struct {
			V defs.Base64 `json:"v"`
		} `json:"deep"`
	}
	got := mustJSON(t, body{})
	if string(got) != `{"key":"","deep":{"v":""}}` {
		t.Fatalf("nil Base64 encoded as %s", got)
	}
	b := decode[body](t, []byte(`{"key":"AAEC/w==","deep":{"v":""}}`))
	if string(b.Key) != "\x00\x01\x02\xff" || b.Deep.V == nil || len(b.Deep.V) != 0 {
		t.Fatalf("decoded %v %v", b.Key, b.Deep.V)
	}
	// A []byte-typed variable takes a Base64 without conversion.
	var raw []byte = b.Key
	_ = raw
	requireFieldError(t, defs.Decode([]byte(`{"deep":{"v":"not base64!"}}`), new(body)), "deep.v", "base64")
	requireFieldError(t, defs.Decode([]byte(`{"key":"AAEC/w"}`), new(body)), "key", "base64") // padding is required
	requireFieldError(t, defs.Decode([]byte(`{"key":[1,2]}`), new(body)), "key", "base64")
}
