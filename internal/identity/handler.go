package identity

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/lockstream/lockstream/internal/httpx"
)

// request carries one identity request through the handler.
type request struct {
	w             http.ResponseWriter
	r             *http.Request
	now           time.Time
	tenant        string // the configured tenant (lower case)
	base          string // scheme://host the client used; "" until known
	traceID       string
	correlationID string
	basic         bool // client authenticated with HTTP Basic
}

// Handler returns the identity endpoints, meant to be mounted at the root
// of the API listener (mux.Handle("/", svc.Handler()) after the more
// specific API routes), where azidentity expects them:
//
//	POST /{tenant}/oauth2/v2.0/token                  client credentials (v2)
//	POST /{tenant}/oauth2/token                       client credentials (v1)
//	GET  /{tenant}/v2.0/.well-known/openid-configuration
//	GET  /{tenant}/.well-known/openid-configuration
//	GET  /{tenant}/discovery/v2.0/keys                JWKS
//	GET  /{tenant}/discovery/keys                     JWKS
//
// Every other path, and every other tenant, gets an AAD-style error.
func (s *Service) Handler() http.Handler {
	return http.HandlerFunc(s.serveHTTP)
}

func (s *Service) serveHTTP(w http.ResponseWriter, r *http.Request) {
	rq := &request{w: w, r: r, now: s.now(), tenant: s.cfg.TenantID}
	rq.traceID = httpx.ID(r.Context())
	if u, err := uuid.Parse(rq.traceID); err == nil {
		rq.traceID = u.String()
	} else if rq.traceID, err = s.newUUID(); err != nil {
		rq.traceID = "00000000-0000-0000-0000-000000000000"
	}
	rq.correlationID = rq.traceID
	// MSAL sends client-request-id; AAD echoes it as the correlation id.
	if c := r.Header.Get("client-request-id"); c != "" {
		if u, err := uuid.Parse(c); err == nil {
			rq.correlationID = u.String()
			w.Header().Set("client-request-id", rq.correlationID)
		}
	}
	w.Header().Set("x-ms-request-id", rq.traceID)

	base, ok := s.baseURL(r)
	if !ok {
		rq.writeError(errMalformed("bad or unlisted Host"))
		return
	}
	rq.base = base
	tenant, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if !strings.EqualFold(tenant, s.cfg.TenantID) {
		e := errTenant()
		if isTokenPath(rest) {
			s.auditToken(rq, "", e) // failed issuance, whatever the cause
		}
		rq.writeError(e)
		return
	}
	switch rest {
	case "oauth2/v2.0/token":
		s.serveToken(rq, false)
	case "oauth2/token":
		s.serveToken(rq, true)
	case "v2.0/.well-known/openid-configuration":
		s.serveDiscovery(rq, false)
	case ".well-known/openid-configuration":
		s.serveDiscovery(rq, true)
	case "discovery/v2.0/keys", "discovery/keys":
		s.serveJWKS(rq)
	default:
		rq.writeError(errNotFound())
	}
}

func isTokenPath(rest string) bool { return rest == "oauth2/v2.0/token" || rest == "oauth2/token" }

// baseURL returns scheme://host as the client addressed this server. The
// host comes from the request (checked against Config.Hosts when set); the
// scheme from TLS, or X-Forwarded-Proto unless ignored.
func (s *Service) baseURL(r *http.Request) (string, bool) {
	host := strings.ToLower(r.Host)
	if !validHost(host) {
		return "", false
	}
	if len(s.cfg.Hosts) > 0 && !slices.ContainsFunc(s.cfg.Hosts, func(h string) bool { return strings.EqualFold(h, host) }) {
		return "", false
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if !s.cfg.IgnoreForwardedProto {
		p, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
		switch p = strings.ToLower(strings.TrimSpace(p)); p {
		case "http", "https":
			scheme = p
		}
	}
	return scheme + "://" + host, true
}

// validHost accepts host[:port] with a DNS name, IPv4 or bracketed IPv6
// address: nothing that could smuggle a path or user info into the URLs
// built from it.
func validHost(h string) bool {
	if h == "" || len(h) > 262 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || c == '_') {
			return false
		}
	}
	return true
}

// discovery is the OpenID Provider metadata (OIDC Discovery §3) in the
// shape AAD serves; MSAL reads authorization_endpoint, token_endpoint and
// issuer, and requires the issuer's scheme and host to equal the
// authority's.
type discovery struct {
	Issuer                       string   `json:"issuer"`
	AuthorizationEndpoint        string   `json:"authorization_endpoint"`
	TokenEndpoint                string   `json:"token_endpoint"`
	JWKSURI                      string   `json:"jwks_uri"`
	TokenEndpointAuthMethods     []string `json:"token_endpoint_auth_methods_supported"`
	TokenEndpointAuthSigningAlgs []string `json:"token_endpoint_auth_signing_alg_values_supported"`
	GrantTypes                   []string `json:"grant_types_supported"`
	ResponseTypes                []string `json:"response_types_supported"`
	ResponseModes                []string `json:"response_modes_supported"`
	Scopes                       []string `json:"scopes_supported"`
	SubjectTypes                 []string `json:"subject_types_supported"`
	IDTokenSigningAlgs           []string `json:"id_token_signing_alg_values_supported"`
	Claims                       []string `json:"claims_supported"`
	RequestURIParameterSupported bool     `json:"request_uri_parameter_supported"`
	TenantRegionScope            *string  `json:"tenant_region_scope"`
	CloudInstanceName            string   `json:"cloud_instance_name"`
}

func (s *Service) serveDiscovery(rq *request, v1 bool) {
	if rq.r.Method != http.MethodGet && rq.r.Method != http.MethodHead {
		rq.writeError(&aadError{status: 405, code: "invalid_request", aadsts: 900561, msg: "The endpoint only accepts GET requests."})
		return
	}
	t := rq.base + "/" + rq.tenant
	d := discovery{
		Issuer:                       s.Issuer(rq.base),
		AuthorizationEndpoint:        t + "/oauth2/v2.0/authorize",
		TokenEndpoint:                t + "/oauth2/v2.0/token",
		JWKSURI:                      t + "/discovery/v2.0/keys",
		TokenEndpointAuthMethods:     []string{"client_secret_post", "client_secret_basic", "private_key_jwt"},
		TokenEndpointAuthSigningAlgs: []string{"RS256", "PS256"},
		GrantTypes:                   []string{"client_credentials"},
		ResponseTypes:                []string{"token"},
		ResponseModes:                []string{"query", "fragment", "form_post"},
		Scopes:                       []string{"openid", "profile", "email", "offline_access"},
		SubjectTypes:                 []string{"pairwise"},
		IDTokenSigningAlgs:           []string{s.cfg.Keys.Algorithm},
		Claims: []string{"aud", "iss", "iat", "nbf", "exp", "appid", "appidacr", "azp", "azpacr",
			"idtyp", "oid", "sub", "tid", "roles", "ver", "jti"},
		CloudInstanceName: strings.TrimPrefix(strings.TrimPrefix(rq.base, "https://"), "http://"),
	}
	if v1 {
		d.AuthorizationEndpoint = t + "/oauth2/authorize"
		d.TokenEndpoint = t + "/oauth2/token"
		d.JWKSURI = t + "/discovery/keys"
	}
	rq.w.Header().Set("Cache-Control", "max-age=300")
	rq.w.Header().Set("Vary", "Host, X-Forwarded-Proto")
	writeJSONCached(rq.w, d)
}

func (s *Service) serveJWKS(rq *request) {
	if rq.r.Method != http.MethodGet && rq.r.Method != http.MethodHead {
		rq.writeError(&aadError{status: 405, code: "invalid_request", aadsts: 900561, msg: "The endpoint only accepts GET requests."})
		return
	}
	set, err := s.JWKS(rq.r.Context())
	if err != nil {
		s.cfg.Log.Error("jwks failed", "err", err)
		rq.writeError(errServer())
		return
	}
	// Well under Keys.PrePublish, so cached copies learn a successor
	// before it signs.
	maxAge := min(5*time.Minute, s.cfg.Keys.PrePublish/2)
	rq.w.Header().Set("Cache-Control", "max-age="+strconv.Itoa(int(maxAge/time.Second)))
	writeJSONCached(rq.w, set)
}

func writeJSONCached(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"error":"server_error"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}
