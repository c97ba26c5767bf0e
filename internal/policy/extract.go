package policy

import (
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// maxFormBytes bounds a form body read for its Bearer field.
const maxFormBytes = 64 << 10

// TokenFromRequest returns the key-delivery token of r, or "" when it has
// none. It looks in, all with the same result:
//
//   - the Authorization header: "Bearer <t>", or Azure Media Player's
//     legacy "Bearer=<t>";
//   - the token query parameter, which players that cannot set headers
//     (Safari's native HLS) use, with an optional "Bearer " or "Bearer="
//     prefix;
//   - the legacy Bearer query parameter, or Bearer field of an
//     application/x-www-form-urlencoded POST body (the body is then
//     consumed, through r.ParseForm).
//
// A request that carries two different tokens, or one parameter twice, is
// refused with an [*Error] wrapping ErrUnauthenticated (RFC 6750 §2: one
// method per request), rather than choosing one of them.
func TokenFromRequest(r *http.Request) (string, error) {
	return TokenFromRequestQuery(r, r.URL.Query())
}

// TokenFromRequestQuery is TokenFromRequest for a caller that already
// parsed r's query string (query is r.URL.Query()), so that a key request
// parses it once.
func TokenFromRequestQuery(r *http.Request, query url.Values) (string, error) {
	var found []string
	add := func(t string) {
		if t = strings.TrimSpace(t); t != "" {
			found = append(found, t)
		}
	}
	switch hs := r.Header.Values("Authorization"); len(hs) {
	case 0:
	case 1:
		if t, ok := cutBearer(hs[0]); ok {
			add(t)
		}
	default:
		return "", badTokenRequest("several Authorization headers")
	}
	for _, name := range []string{"token", "Bearer"} {
		switch vs := query[name]; len(vs) {
		case 0:
		case 1:
			if t, ok := cutBearer(vs[0]); ok {
				add(t)
			} else {
				add(vs[0])
			}
		default:
			return "", badTokenRequest(fmt.Sprintf("query parameter %s repeated", name))
		}
	}
	if isForm(r) {
		r.Body = http.MaxBytesReader(nil, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			return "", &Error{Class: ErrUnauthenticated, Public: msgInvalidToken, Option: -1, Reason: "form body", Err: err}
		}
		switch vs := r.PostForm["Bearer"]; len(vs) {
		case 0:
		case 1:
			add(vs[0])
		default:
			return "", badTokenRequest("form field Bearer repeated")
		}
	}
	if len(found) == 0 {
		return "", nil
	}
	for _, t := range found[1:] {
		if t != found[0] {
			return "", badTokenRequest("different tokens in one request")
		}
	}
	return found[0], nil
}

// cutBearer strips a case-insensitive "Bearer " or "Bearer=" prefix; ok
// is false when s has neither (another scheme, or a bare token).
func cutBearer(s string) (string, bool) {
	const scheme = "bearer"
	if len(s) <= len(scheme) || !strings.EqualFold(s[:len(scheme)], scheme) {
		return "", false
	}
	switch s[len(scheme)] {
	case ' ', '=':
		return s[len(scheme)+1:], true
	}
	return "", false
}

func isForm(r *http.Request) bool {
	if r.Body == nil || r.Method != http.MethodPost {
		return false
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/x-www-form-urlencoded"
}

func badTokenRequest(reason string) *Error {
	return unauthenticated(msgInvalidToken, reason, nil)
}
