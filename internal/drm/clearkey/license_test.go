package clearkey_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/drm/clearkey"
	"github.com/lockstream/lockstream/internal/keys"
)

func TestParseRequest(t *testing.T) {
	k1 := keys.KID{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1} // AQEBAQEBAQEBAQEBAQEBAQ
	k2 := keys.KID{0xfb, 0xff, 0xbf, 15: 0xff}                     // +/ in std base64
	tests := []struct {
		name     string
		in       string
		wantKIDs []keys.KID
		wantType string
		wantErr  error
	}{
		{
			name:     "chromium request",
			in:       `{"kids":["AQEBAQEBAQEBAQEBAQEBAQ"],"type":"temporary"}`,
			wantKIDs: []keys.KID{k1},
			wantType: clearkey.Temporary,
		},
		{
			name:     "persistent, two kids, whitespace, type first",
			in:       "\n{ \"type\" : \"persistent-license\",\n \"kids\" : [ \"AQEBAQEBAQEBAQEBAQEBAQ\", \"-_-_AAAAAAAAAAAAAAAA_w\" ] }\n",
			wantKIDs: []keys.KID{k1, k2},
			wantType: clearkey.PersistentLicense,
		},
		{
			name:     "duplicate kid returned once",
			in:       `{"kids":["AQEBAQEBAQEBAQEBAQEBAQ","-_-_AAAAAAAAAAAAAAAA_w","AQEBAQEBAQEBAQEBAQEBAQ"],"type":"temporary"}`,
			wantKIDs: []keys.KID{k1, k2},
			wantType: clearkey.Temporary,
		},
		{
			name:     "escaped member name",
			in:       `{"\u006bids":["AQEBAQEBAQEBAQEBAQEBAQ"],"type":"temporary"}`,
			wantKIDs: []keys.KID{k1},
			wantType: clearkey.Temporary,
		},
		{name: "empty", in: "", wantErr: clearkey.ErrInvalidRequest},
		{name: "not json", in: "kids=AQ", wantErr: clearkey.ErrInvalidRequest},
		{name: "array", in: `[]`, wantErr: clearkey.ErrInvalidRequest},
		{name: "truncated", in: `{"kids":["AQEBAQEBAQEBAQEBAQEBAQ"],"type":"temporary"`, wantErr: clearkey.ErrInvalidRequest},
		{name: "trailing object", in: `{"kids":["AQEBAQEBAQEBAQEBAQEBAQ"],"type":"temporary"}{}`, wantErr: clearkey.ErrInvalidRequest},
		{name: "trailing garbage", in: `{"kids":["AQEBAQEBAQEBAQEBAQEBAQ"],"type":"temporary"}x`, wantErr: clearkey.ErrInvalidRequest},
		{name: "missing type", in: `{"kids":["AQEBAQEBAQEBAQEBAQEBAQ"]}`, wantErr: clearkey.ErrInvalidRequest},
		{name: "missing kids", in: `{"type":"temporary"}`, wantErr: clearkey.ErrInvalidRequest},
		{name: "empty kids", in: `{"kids":[],"type":"temporary"}`, wantErr: clearkey.ErrInvalidRequest},
		{name: "null kids", in: `{"kids":null,"type":"temporary"}`, wantErr: clearkey.ErrInvalidRequest},
		{name: "kids not array", in: `{"kids":"AQEBAQEBAQEBAQEBAQEBAQ","type":"temporary"}`, wantErr: clearkey.ErrInvalidRequest},
		{name: "kid not string", in: `{"kids":[1],"type":"temporary"}`, wantErr: clearkey.ErrInvalidRequest},
		{name: "kid nested array", in: `{"kids":[["AQEBAQEBAQEBAQEBAQEBAQ"]],"type":"temporary"}`, wantErr: clearkey.ErrInvalidRequest},
		{name: "padded kid", in: `{"kids":["AQEBAQEBAQEBAQEBAQEBAQ=="],"type":"temporary"}`, wantErr: clearkey.ErrInvalidRequest},
		{name: "standard alphabet kid", in: `{"kids":["+/+/AAAAAAAAAAAAAAAA/w"],"type":"temporary"}`, wantErr: clearkey.ErrInvalidRequest},
		{name: "trailing bits set", in: `{"kids":["AQEBAQEBAQEBAQEBAQEBAR"],"type":"temporary"}`, wantErr: clearkey.ErrInvalidRequest},
		{name: "short kid", in: `{"kids":["AQEBAQEBAQEBAQEBAQEB"],"type":"temporary"}`, wantErr: clearkey.ErrInvalidRequest},
		{name: "hex kid", in: `{"kids":["01010101010101010101010101010101"],"type":"temporary"}`, wantErr: clearkey.ErrInvalidRequest},
		{name: "bad type", in: `{"kids":["AQEBAQEBAQEBAQEBAQEBAQ"],"type":"Temporary"}`, wantErr: clearkey.ErrInvalidRequest},
		{name: "type not string", in: `{"kids":["AQEBAQEBAQEBAQEBAQEBAQ"],"type":1}`, wantErr: clearkey.ErrInvalidRequest},
		{name: "unknown member", in: `{"kids":["AQEBAQEBAQEBAQEBAQEBAQ"],"type":"temporary","x":1}`, wantErr: clearkey.ErrInvalidRequest},
		{name: "repeated kids", in: `{"kids":["AQEBAQEBAQEBAQEBAQEBAQ"],"kids":["AQEBAQEBAQEBAQEBAQEBAQ"],"type":"temporary"}`, wantErr: clearkey.ErrInvalidRequest},
		{name: "repeated type", in: `{"kids":["AQEBAQEBAQEBAQEBAQEBAQ"],"type":"temporary","type":"temporary"}`, wantErr: clearkey.ErrInvalidRequest},
		{name: "invalid utf-8", in: "{\"kids\":[\"AQEBAQEBAQEBAQEBAQEBAQ\"],\"type\":\"temporary\xff\"}", wantErr: clearkey.ErrInvalidRequest},
		{name: "too large", in: `{"kids":[],"type":"` + strings.Repeat("x", clearkey.MaxRequestSize) + `"}`, wantErr: clearkey.ErrTooLarge},
		{name: "too many kids", in: manyKIDs(clearkey.MaxRequestKIDs + 1), wantErr: clearkey.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kids, typ, err := clearkey.ParseRequest([]byte(tt.in))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if kids != nil || typ != "" {
					t.Errorf("error with results %v %q", kids, typ)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(kids, tt.wantKIDs) || typ != tt.wantType {
				t.Errorf("got %v %q, want %v %q", kids, typ, tt.wantKIDs, tt.wantType)
			}
		})
	}
}

func manyKIDs(n int) string {
	var b strings.Builder
	b.WriteString(`{"kids":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + keys.KID{byte(i), byte(i >> 8)}.Base64URL() + `"`)
	}
	b.WriteString(`],"type":"temporary"}`)
	return b.String()
}

func TestParseRequestMaxKIDs(t *testing.T) {
	kids, _, err := clearkey.ParseRequest([]byte(manyKIDs(clearkey.MaxRequestKIDs)))
	if err != nil || len(kids) != clearkey.MaxRequestKIDs {
		t.Fatalf("%d kids, err %v", len(kids), err)
	}
}

func TestRequestRoundTrip(t *testing.T) {
	kids := []keys.KID{{1}, {0xff, 0xfe, 15: 0x3f}}
	for _, typ := range []string{clearkey.Temporary, clearkey.PersistentLicense} {
		t.Run(typ, func(t *testing.T) {
			body := clearkey.Request(kids, typ)
			got, gotType, err := clearkey.ParseRequest(body)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, kids) || gotType != typ {
				t.Errorf("got %v %q", got, gotType)
			}
		})
	}
}

func TestResponse(t *testing.T) {
	kid := keys.KID{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	key := keys.Key{0xfb, 0xff, 0xbf, 15: 0xff}
	kid2 := keys.KID{2}
	key2 := keys.Key{3}
	tests := []struct {
		name  string
		pairs []clearkey.KeyPair
		typ   string
		want  string
	}{
		{
			name:  "one key, temporary",
			pairs: []clearkey.KeyPair{{KID: kid, Key: key}},
			typ:   clearkey.Temporary,
			want:  `{"keys":[{"kty":"oct","kid":"AQEBAQEBAQEBAQEBAQEBAQ","k":"-_-_AAAAAAAAAAAAAAAA_w"}],"type":"temporary"}`,
		},
		{
			name:  "two keys in order, no type",
			pairs: []clearkey.KeyPair{{KID: kid2, Key: key2}, {KID: kid, Key: key}},
			want: `{"keys":[{"kty":"oct","kid":"AgAAAAAAAAAAAAAAAAAAAA","k":"AwAAAAAAAAAAAAAAAAAAAA"},` +
				`{"kty":"oct","kid":"AQEBAQEBAQEBAQEBAQEBAQ","k":"-_-_AAAAAAAAAAAAAAAA_w"}]}`,
		},
		{
			name: "no keys",
			typ:  clearkey.PersistentLicense,
			want: `{"keys":[],"type":"persistent-license"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := clearkey.Response(tt.pairs, tt.typ)
			if string(got) != tt.want {
				t.Fatalf("\n got %s\nwant %s", got, tt.want)
			}
			// Independently: every kid and k is unpadded base64url of 16 bytes.
			var set struct {
				Keys []map[string]string `json:"keys"`
			}
			if err := json.Unmarshal(got, &set); err != nil {
				t.Fatal(err)
			}
			for i, k := range set.Keys {
				if k["kty"] != "oct" || len(k["kid"]) != 22 || len(k["k"]) != 22 ||
					strings.ContainsAny(k["kid"]+k["k"], "=+/") {
					t.Errorf("key %d: %v", i, k)
				}
			}
		})
	}
}
