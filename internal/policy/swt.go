package policy

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lockstream/lockstream/internal/defs"
)

// Reserved SWT names (SWT 0.9.5.1 §3).
const (
	swtIssuer    = "Issuer"
	swtAudience  = "Audience"
	swtExpiresOn = "ExpiresOn"
	swtSignature = "HMACSHA256"
)

// swtToken is a Simple Web Token that passed the syntax checks; its
// signature is not verified yet.
type swtToken struct {
	signed string            // the exact bytes before "&HMACSHA256="
	mac    []byte            // decoded HMACSHA256 value
	pairs  map[string]string // decoded names and values, signature excluded
}

// parseSWT splits raw into its signed prefix, signature and pairs. The
// signature must be the last pair; names must be unique; names and values
// must decode to UTF-8.
func parseSWT(raw string, maxLen int) (*swtToken, error) {
	if len(raw) > maxLen {
		return nil, fmt.Errorf("%d bytes, limit %d", len(raw), maxLen)
	}
	if !utf8.ValidString(raw) {
		return nil, errors.New("not UTF-8")
	}
	const sep = "&" + swtSignature + "="
	i := strings.LastIndex(raw, sep)
	if i <= 0 {
		return nil, errors.New("no HMACSHA256 pair after the claims")
	}
	signed, sigValue := raw[:i], raw[i+len(sep):]
	if strings.ContainsAny(sigValue, "&=") {
		return nil, errors.New("HMACSHA256 is not the last pair")
	}
	// The signature is base64 then URL-encoded; '+' is a base64 digit
	// here, so path unescaping (which keeps '+') is the right inverse.
	sigText, err := url.PathUnescape(sigValue)
	if err != nil {
		return nil, errors.New("HMACSHA256 is not URL-encoded")
	}
	// Go's decoder skips CR and LF even in strict mode; a signature
	// with line breaks is not the signature.
	if strings.ContainsFunc(sigText, func(r rune) bool { return !isStdBase64(r) }) {
		return nil, errors.New("HMACSHA256 is not the base64 of 32 bytes")
	}
	mac, err := base64.StdEncoding.Strict().DecodeString(sigText)
	if err != nil || len(mac) != sha256.Size {
		return nil, errors.New("HMACSHA256 is not the base64 of 32 bytes")
	}
	pairs := map[string]string{}
	for _, p := range strings.Split(signed, "&") {
		rawName, rawValue, ok := strings.Cut(p, "=")
		if !ok || rawName == "" {
			return nil, errors.New("pair without name or '='")
		}
		name, err1 := url.QueryUnescape(rawName)
		value, err2 := url.QueryUnescape(rawValue)
		if err1 != nil || err2 != nil {
			return nil, errors.New("pair is not URL-encoded")
		}
		if !utf8.ValidString(name) || !utf8.ValidString(value) {
			return nil, errors.New("pair does not decode to UTF-8")
		}
		if strings.EqualFold(name, swtSignature) {
			return nil, errors.New("HMACSHA256 is not the last pair")
		}
		if _, dup := pairs[name]; dup {
			return nil, fmt.Errorf("duplicate name %s", quote(name))
		}
		pairs[name] = value
	}
	return &swtToken{signed: signed, mac: mac, pairs: pairs}, nil
}

// verify reports whether key signed the token: HMAC-SHA256 over the raw
// received prefix, compared in constant time.
func (t *swtToken) verify(key []byte) bool {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(t.signed))
	return hmac.Equal(m.Sum(nil), t.mac)
}

// verifySWT parses the request's token (once per request) and verifies it
// with the restriction's symmetric keys; other key types cannot sign SWTs.
func (st *evaluation) verifySWT(r *defs.ContentKeyPolicyTokenRestriction) (*verifiedToken, error) {
	if st.swt == nil && st.swtErr == nil {
		t, err := parseSWT(st.req.Token, st.e.cfg.MaxTokenBytes)
		if err != nil {
			st.swtErr = unauthenticated(msgInvalidToken, "SWT rejected", err)
		}
		st.swt = t
	}
	if st.swtErr != nil {
		e := *st.swtErr
		return nil, &e
	}
	t := st.swt
	tried := 0
	verified := false
	candidates := append([]defs.ContentKeyPolicyRestrictionTokenKey{r.PrimaryVerificationKey}, r.AlternateVerificationKeys...)
	for _, k := range candidates {
		sk, ok := k.(*defs.ContentKeyPolicySymmetricTokenKey)
		if !ok || sk == nil || len(sk.KeyValue) == 0 {
			continue
		}
		tried++
		if t.verify(sk.KeyValue) {
			verified = true
			break
		}
	}
	switch {
	case tried == 0:
		return nil, unauthenticated(msgAlgNotAccepted, "restriction has no symmetric key to verify an SWT", nil)
	case !verified:
		return nil, unauthenticated(msgInvalidToken, fmt.Sprintf("SWT signature verified with none of %d key(s)", tried), nil)
	}
	return swtClaims(t)
}

func swtClaims(t *swtToken) (*verifiedToken, error) {
	exp, ok := t.pairs[swtExpiresOn]
	if !ok {
		return nil, unauthenticated(msgInvalidToken, "SWT without ExpiresOn", nil)
	}
	secs, err := parseDigits(exp)
	if err != nil {
		return nil, unauthenticated(msgInvalidToken, "SWT ExpiresOn is not whole seconds", err)
	}
	tok := &verifiedToken{
		format:  "SWT",
		issuer:  t.pairs[swtIssuer],
		expires: time.Unix(secs, 0).UTC(),
		values: func(name string) ([]string, bool, error) {
			v, ok := t.pairs[name]
			if !ok {
				return nil, false, nil
			}
			return []string{v}, true, nil
		},
		scalar: func(name string) (string, bool, error) {
			v, ok := t.pairs[name]
			return v, ok, nil
		},
		id: func() [32]byte { return sha256.Sum256(t.mac) },
	}
	if aud, ok := t.pairs[swtAudience]; ok {
		tok.audiences = []string{aud}
	}
	return tok, nil
}

// parseDigits reads a non-negative decimal integer with digits only: no
// sign, spaces or exponent, so that every parser reads the same number.
func parseDigits(s string) (int64, error) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, errors.New("not a decimal integer")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > maxNumericDate {
		return 0, errors.New("integer out of range")
	}
	return n, nil
}

// maxNumericDate is 2^53, the largest integer every JSON parser keeps
// exactly; later instants are not meaningful expiries.
const maxNumericDate = 1 << 53

func isStdBase64(r rune) bool {
	return 'A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '+' || r == '/' || r == '='
}
