package sts

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/lockstream/lockstream/internal/passhash"
)

// Grant types of the token endpoint.
const (
	GrantPassword          = "password"
	GrantClientCredentials = "client_credentials"
	// GrantOnBehalfOf is an operator (authenticated with a management
	// bearer token) asking for a user's token; an RFC 6749 §4.5 extension
	// grant.
	GrantOnBehalfOf = "urn:lockstream:params:oauth:grant-type:on-behalf-of"
)

// maxRequestBytes bounds token request bodies.
const maxRequestBytes = 16 << 10

// tokenRequest is a parsed token request.
type tokenRequest struct {
	grant    string
	name     string // the user: authenticating, or on whose behalf
	secret   string
	basic    bool // credentials came in HTTP Basic
	bearer   string
	maxUses  int64
	keyID    string
	hasCreds bool // a secret was presented (body or Basic)
}

// requestBody is the JSON form of a token request; the form encoding uses
// the same names.
type requestBody struct {
	GrantType    string          `json:"grant_type"`
	Username     string          `json:"username"`
	Password     string          `json:"password"`
	ClientID     string          `json:"client_id"`
	ClientSecret string          `json:"client_secret"`
	User         string          `json:"user"`
	MaxUses      json.RawMessage `json:"maxuses"`
	ContentKeyID string          `json:"contentkeyidentifier"`
	Scope        string          `json:"scope"` // accepted for OAuth clients that always send one; ignored
}

var formFields = []string{"grant_type", "username", "password", "client_id", "client_secret", "user", "maxuses", "contentkeyidentifier", "scope"}

// parseRequest reads and checks a token request, without authenticating
// it.
func (s *Service) parseRequest(w http.ResponseWriter, r *http.Request) (*tokenRequest, *oauthError) {
	if r.URL.RawQuery != "" {
		// Query strings end up in logs and browser histories.
		return nil, errRequest("Token request parameters belong in the request body, not the URL.")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	if err != nil {
		return nil, errRequest(fmt.Sprintf("The request body must be at most %d bytes.", maxRequestBytes))
	}
	var b requestBody
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/x-www-form-urlencoded":
		if e := parseForm(body, &b); e != nil {
			return nil, e
		}
	case "application/json":
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&b); err != nil || dec.More() {
			return nil, errRequest("The request body is not a JSON object of known token request parameters.")
		}
	default:
		return nil, errRequest("Content-Type must be application/x-www-form-urlencoded or application/json.")
	}

	rq := &tokenRequest{grant: b.GrantType}
	if e := rq.readAuthorization(r, &b); e != nil {
		return nil, e
	}
	switch rq.grant {
	case GrantPassword:
		rq.name, rq.secret = firstNonEmpty(rq.name, b.Username), firstNonEmpty(rq.secret, b.Password)
		rq.hasCreds = rq.hasCreds || b.Password != ""
	case GrantClientCredentials:
		rq.name, rq.secret = firstNonEmpty(rq.name, b.ClientID), firstNonEmpty(rq.secret, b.ClientSecret)
		rq.hasCreds = rq.hasCreds || b.ClientSecret != ""
	case GrantOnBehalfOf:
		if rq.bearer == "" {
			return nil, errOperator("on-behalf-of request without a bearer token")
		}
		if b.User == "" {
			return nil, errRequest("The on-behalf-of grant needs the user parameter.")
		}
		rq.name = b.User
	case "":
		return nil, errRequest("The request body must contain grant_type.")
	default:
		return nil, errGrant(fmt.Sprintf("grant_type %.64q", rq.grant))
	}
	if rq.bearer != "" && rq.grant != GrantOnBehalfOf {
		return nil, errRequest("A bearer token is only accepted with the on-behalf-of grant.")
	}
	if len(rq.secret) > passhash.MaxSecretLen {
		return nil, errClient("secret too long")
	}
	if e := s.parseOptions(rq, &b); e != nil {
		return nil, e
	}
	return rq, nil
}

// readAuthorization takes credentials from the Authorization header.
// Clients must not use more than one authentication method (RFC 6749
// §2.3).
func (rq *tokenRequest) readAuthorization(r *http.Request, b *requestBody) *oauthError {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil
	}
	scheme, cred, _ := strings.Cut(h, " ")
	cred = strings.TrimSpace(cred)
	switch {
	case strings.EqualFold(scheme, "Basic"):
		raw, err := base64.StdEncoding.DecodeString(cred)
		if err != nil {
			return errClient("malformed Basic credentials")
		}
		user, pass, ok := strings.Cut(string(raw), ":")
		// RFC 6749 §2.3.1: both parts are form-encoded first.
		if u, err := url.QueryUnescape(user); err == nil {
			user = u
		}
		if p, err := url.QueryUnescape(pass); err == nil {
			pass = p
		}
		if !ok || user == "" {
			return errClient("malformed Basic credentials")
		}
		if b.Password != "" || b.ClientSecret != "" {
			return errRequest("Credentials must be sent either in the Authorization header or in the body, not both.")
		}
		if (b.Username != "" && b.Username != user) || (b.ClientID != "" && b.ClientID != user) {
			return errRequest("The user in the body differs from the Authorization header.")
		}
		rq.name, rq.secret, rq.basic, rq.hasCreds = user, pass, true, true
	case strings.EqualFold(scheme, "Bearer"):
		if cred == "" {
			return errOperator("empty bearer token")
		}
		if b.Password != "" || b.ClientSecret != "" {
			return errRequest("Credentials must be sent either in the Authorization header or in the body, not both.")
		}
		rq.bearer = cred
	default:
		return errClient("unsupported Authorization scheme")
	}
	return nil
}

// parseOptions reads maxuses and contentkeyidentifier.
func (s *Service) parseOptions(rq *tokenRequest, b *requestBody) *oauthError {
	if len(b.MaxUses) > 0 && string(b.MaxUses) != "null" && string(b.MaxUses) != `""` {
		text := string(b.MaxUses)
		if strings.HasPrefix(text, `"`) {
			if err := json.Unmarshal(b.MaxUses, &text); err != nil {
				return errRequest("maxuses must be a positive integer.")
			}
		}
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil || n < 1 || n > s.cfg.MaxUses || strings.HasPrefix(text, "+") {
			return errRequest(fmt.Sprintf("maxuses must be an integer from 1 to %d.", s.cfg.MaxUses))
		}
		rq.maxUses = n
	}
	if b.ContentKeyID != "" {
		id, err := uuid.Parse(b.ContentKeyID)
		if err != nil || len(b.ContentKeyID) != 36 {
			return errRequest("contentkeyidentifier must be a key id GUID like 01234567-89ab-cdef-0123-456789abcdef.")
		}
		rq.keyID = id.String()
	}
	return nil
}

// parseForm decodes an application/x-www-form-urlencoded body into b,
// refusing unknown and repeated parameters: a misspelt maxuses must not
// yield an unlimited token.
func parseForm(body []byte, b *requestBody) *oauthError {
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return errRequest("The request body is not valid form encoding.")
	}
	for k, v := range vals {
		known := false
		for _, f := range formFields {
			known = known || f == k
		}
		if !known {
			return errRequest(fmt.Sprintf("Unknown parameter %.64q.", k))
		}
		if len(v) != 1 {
			return errRequest(fmt.Sprintf("Parameter %.64q is repeated.", k))
		}
	}
	b.GrantType, b.Username, b.Password = vals.Get("grant_type"), vals.Get("username"), vals.Get("password")
	b.ClientID, b.ClientSecret, b.User = vals.Get("client_id"), vals.Get("client_secret"), vals.Get("user")
	b.ContentKeyID, b.Scope = vals.Get("contentkeyidentifier"), vals.Get("scope")
	if v := vals.Get("maxuses"); v != "" {
		q, err := json.Marshal(v)
		if err != nil {
			return errRequest("maxuses must be a positive integer.")
		}
		b.MaxUses = q
	}
	return nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
