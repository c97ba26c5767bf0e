package identity

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// maxFormBytes bounds a token request body; a client assertion with an
// x5c chain is the largest legitimate field.
const maxFormBytes = 64 << 10

// readForm parses the x-www-form-urlencoded body. Query parameters are
// ignored: credentials in a URL end up in logs. Repeated parameters are
// refused (RFC 6749 §3.2).
func readForm(rq *request) (url.Values, *aadError) {
	mt, _, err := mime.ParseMediaType(rq.r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, errMalformed("content type is not application/x-www-form-urlencoded")
	}
	body, err := io.ReadAll(http.MaxBytesReader(rq.w, rq.r.Body, maxFormBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, errMalformed("body too large")
	}
	if err != nil {
		return nil, errMalformed("read body")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, errMalformed("body is not form-encoded")
	}
	for k, v := range form {
		if len(v) > 1 {
			return nil, errMalformed("parameter " + k + " repeated")
		}
	}
	return form, nil
}

// clientCreds is how the client authenticates.
type clientCreds struct {
	id        string
	secret    string
	assertion string
}

// clientAuth extracts exactly one client authentication method: HTTP
// Basic, client_secret in the body, or a client assertion (RFC 6749
// §2.3.1 forbids using more than one).
func clientAuth(rq *request, form url.Values) (clientCreds, *aadError) {
	var cc clientCreds
	methods := 0
	formID := form.Get("client_id")
	if rq.r.Header.Get("Authorization") != "" {
		id, secret, ok := rq.r.BasicAuth()
		if !ok {
			return cc, errMalformed("Authorization header is not Basic")
		}
		// RFC 6749 §2.3.1: both parts are form-urlencoded first.
		var err1, err2 error
		cc.id, err1 = url.QueryUnescape(id)
		cc.secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return cc, errMalformed("Basic credentials are not form-encoded")
		}
		if formID != "" && formID != cc.id {
			return cc, errMalformed("client_id differs from the Basic user name")
		}
		rq.basic = true
		methods++
	}
	if _, ok := form["client_secret"]; ok {
		cc.secret = form.Get("client_secret")
		cc.id = formID
		methods++
	}
	if _, ok := form["client_assertion"]; ok {
		if form.Get("client_assertion_type") != assertionType {
			return cc, errMalformed("client_assertion_type is not jwt-bearer")
		}
		cc.assertion = form.Get("client_assertion")
		methods++
	}
	switch {
	case methods > 1:
		return cc, errMalformed("more than one client authentication method")
	case methods == 0:
		if formID == "" {
			return cc, errMissing("client_id")
		}
		cc.id = formID
		return cc, errNoCredential()
	case cc.assertion != "":
		sub, err := assertionSubject(cc.assertion)
		if err != nil {
			cc.id = formID
			return cc, errBadAssertion("malformed assertion")
		}
		if formID != "" && !strings.EqualFold(formID, sub) {
			cc.id = formID
			return cc, errBadAssertion("client_id differs from the assertion's iss")
		}
		cc.id = sub
	case cc.id == "":
		return cc, errMissing("client_id")
	case cc.secret == "":
		return cc, errNoCredential()
	case len(cc.secret) > maxSecretLen:
		return cc, errBadSecret("oversized secret")
	}
	return cc, nil
}

// wellKnownScopes may accompany the resource's /.default scope; MSAL adds
// them to every request.
var wellKnownScopes = map[string]bool{"openid": true, "offline_access": true, "profile": true, "email": true}

// audienceFromScope checks a v2 scope parameter: exactly one
// "<resource>/.default" for the configured audience, plus well-known
// OpenID scopes.
func (s *Service) audienceFromScope(scope string) *aadError {
	if strings.TrimSpace(scope) == "" {
		return errMissing("scope")
	}
	var resource string
	n := 0
	for _, f := range strings.Fields(scope) {
		if wellKnownScopes[f] {
			continue
		}
		r, ok := strings.CutSuffix(f, "/.default")
		if !ok {
			return errScope("scope without /.default")
		}
		resource = r
		n++
	}
	switch {
	case n == 0:
		return errScope("no resource scope")
	case n > 1:
		return errMultiScope()
	}
	return s.checkResource(resource)
}

// checkResource matches a requested resource against the audience,
// case-insensitively and ignoring trailing slashes, as Entra ID does
// ("https://management.azure.com//.default" is a common spelling).
func (s *Service) checkResource(resource string) *aadError {
	if resource == "" {
		return errMissing("resource")
	}
	if !strings.EqualFold(strings.TrimRight(resource, "/"), strings.TrimRight(s.cfg.Audience, "/")) {
		return errResource("unknown resource requested")
	}
	return nil
}

// tokenEndpoints are the URLs a client assertion may name as aud.
func (rq *request) tokenEndpoints() []string {
	t := rq.base + "/" + rq.tenant
	return []string{t + "/oauth2/v2.0/token", t + "/oauth2/token"}
}
