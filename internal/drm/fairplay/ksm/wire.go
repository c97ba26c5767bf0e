package ksm

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"strings"
)

// Wire forms of the SPC, as AMS accepted them.
type wireForm int

const (
	wireUnknown wireForm = iota
	wireFormURL
	wireRaw
	wireBase64
	wireJSON
)

var errWire = errors.New("ksm: no SPC in the request body")

// decodeWire takes the SPC out of a request body:
//
//   - "spc=<base64>" form body (the Shaka/AMS web form; other fields such
//     as assetId are ignored; '+' survives unencoded, as clients send it);
//   - JSON {"spc":"<base64>"};
//   - the raw binary SPC (application/octet-stream, or bytes starting with
//     a known SPC version);
//   - the base64 of the SPC as the whole body.
func decodeWire(body []byte, contentType string) ([]byte, wireForm, error) {
	mt, _, _ := mime.ParseMediaType(contentType)
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) == 0:
		return nil, 0, fmt.Errorf("%w: empty body", errWire)
	case mt == "application/json" || trimmed[0] == '{':
		var v struct {
			SPC string `json:"spc"`
		}
		if err := json.Unmarshal(trimmed, &v); err != nil {
			return nil, 0, fmt.Errorf("%w: JSON: %w", errWire, err)
		}
		b, err := decodeB64(v.SPC)
		return b, wireJSON, err
	case mt == "application/octet-stream" || isBinarySPC(body):
		return body, wireRaw, nil
	case mt == "application/x-www-form-urlencoded" || bytes.Contains(trimmed, []byte("spc=")):
		for _, part := range strings.Split(string(trimmed), "&") {
			name, val, _ := strings.Cut(part, "=")
			if !strings.EqualFold(name, "spc") {
				continue
			}
			if strings.Contains(val, "%") {
				v, err := url.PathUnescape(val) // keeps '+'
				if err != nil {
					return nil, 0, fmt.Errorf("%w: spc field: %w", errWire, err)
				}
				val = v
			}
			b, err := decodeB64(val)
			return b, wireFormURL, err
		}
		return nil, 0, fmt.Errorf("%w: form body without an spc field", errWire)
	}
	b, err := decodeB64(string(trimmed))
	return b, wireBase64, err
}

func isBinarySPC(b []byte) bool {
	return len(b) >= 8 && b[0] == 0 && b[1] == 0 && b[2] == 0 && (b[3] == 1 || b[3] == 2 || b[3] == 3)
}

// decodeB64 accepts standard or URL alphabets, with or without padding,
// and spaces where a form decoder turned '+' into ' '.
func decodeB64(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("%w: empty spc", errWire)
	}
	s = strings.NewReplacer(" ", "+", "\n", "", "\r", "", "-", "+", "_", "/").Replace(s)
	s = strings.TrimRight(s, "=")
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: spc is not base64: %w", errWire, err)
	}
	return b, nil
}

// encodeCKC answers in the form of the request: JSON for JSON, AMS's
// <ckc>base64</ckc> otherwise.
func encodeCKC(ckc []byte, f wireForm) ([]byte, string) {
	b64 := base64.StdEncoding.EncodeToString(ckc)
	if f == wireJSON {
		b, _ := json.Marshal(map[string]string{"ckc": b64})
		return b, "application/json"
	}
	return []byte("<ckc>" + b64 + "</ckc>"), "text/xml; charset=utf-8"
}
