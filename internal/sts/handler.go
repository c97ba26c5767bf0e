package sts

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/lockout"
	"github.com/lockstream/lockstream/internal/store"
)

// Handler returns the service's endpoints, relative to its mount point
// (mount it with http.StripPrefix under the path of Config.Issuer):
//
//	POST /token                              token request (see package doc)
//	GET  /.well-known/openid-configuration   OIDC discovery
//	GET  /jwks                               public signing keys
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/token", s.serveToken)
	mux.HandleFunc("/.well-known/openid-configuration", s.serveDiscovery)
	mux.HandleFunc("/jwks", s.serveJWKS)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { writeError(w, errNotFound(), false) })
	return mux
}

// tokenResponse is the RFC 6749 §5.1 success body.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
}

func (s *Service) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, errMethod("POST"), false)
		return
	}
	rq, e := s.parseRequest(w, r)
	if e != nil {
		s.refuse(w, r, rq, e)
		return
	}
	u, e := s.authorize(r, rq)
	if e != nil {
		s.refuse(w, r, rq, e)
		return
	}
	tok, err := s.Issue(r.Context(), u, Options{MaxUses: rq.maxUses, ContentKeyID: rq.keyID})
	if err != nil {
		s.cfg.Log.ErrorContext(r.Context(), "sts token issue failed", "user", u.Name, "err", err)
		s.refuse(w, r, rq, errServer())
		return
	}
	s.cfg.Log.InfoContext(r.Context(), "sts token issued", "user", u.Name, "grant", rq.grant, "kid", tok.KID,
		"maxuses", rq.maxUses, "contentkeyidentifier", rq.keyID, "expires", tok.Expires)
	writeJSON(w, http.StatusOK, tokenResponse{AccessToken: tok.Token, TokenType: "Bearer",
		ExpiresIn: int64(tok.Expires.Sub(s.now()).Round(time.Second) / time.Second)}, "no-store")
}

// refuse logs a failed token request and answers it.
func (s *Service) refuse(w http.ResponseWriter, r *http.Request, rq *tokenRequest, e *oauthError) {
	var user, grant string
	bearer := false
	if rq != nil {
		user, grant, bearer = rq.name, rq.grant, rq.bearer != ""
	}
	if e.status < 500 {
		s.cfg.Log.InfoContext(r.Context(), "sts token refused", "status", e.status, "reason", e.reason,
			"user", truncate(user, 64), "grant", truncate(grant, 64))
	}
	writeError(w, e, bearer)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// authorize authenticates a parsed request and returns the user the token
// is for.
func (s *Service) authorize(r *http.Request, rq *tokenRequest) (*store.User, *oauthError) {
	ctx := r.Context()
	if rq.grant == GrantOnBehalfOf {
		if s.cfg.Operators == nil {
			return nil, errGrant("on-behalf-of grant disabled")
		}
		p, err := s.cfg.Operators.Authenticate(r)
		if err != nil {
			return nil, errOperator("operator token: " + err.Error())
		}
		// Tokens for any user are as powerful as managing principals.
		if !auth.Allowed(p, "", auth.ResServicePrincipals, auth.Write) {
			return nil, errForbidden("principal " + p.ID + " may not write servicePrincipals")
		}
		u, err := s.cfg.Store.GetUser(ctx, rq.name)
		if errors.Is(err, store.ErrNotFound) {
			return nil, errRequest("The user does not exist.")
		}
		if err != nil {
			s.cfg.Log.ErrorContext(ctx, "sts user lookup failed", "err", err)
			return nil, errServer()
		}
		return u, nil
	}
	if rq.name == "" || !rq.hasCreds {
		return nil, errClient("no credentials")
	}
	// Failures are throttled per user and source address: an attacker who
	// knows a user name is slowed and then locked at their own address,
	// while the user's own addresses keep working.
	now, source := s.now(), lockout.Source(r)
	lock, err := s.lock.Check(ctx, rq.name, source, now)
	if err != nil {
		s.cfg.Log.ErrorContext(ctx, "sts lockout check failed", "err", err)
		return nil, errServer()
	}
	if lock.Locked {
		return nil, errLocked()
	}
	u, reason, err := s.authenticate(ctx, rq.name, rq.secret)
	if err != nil {
		s.cfg.Log.ErrorContext(ctx, "sts authentication failed", "err", err)
		return nil, errServer()
	}
	if u == nil {
		delay, locked, err := s.lock.Failure(ctx, rq.name, source, lock, now)
		if err != nil {
			s.cfg.Log.ErrorContext(ctx, "sts record failure", "err", err)
		}
		if locked {
			reason += "; source now locked"
		}
		// Answer only after the delay, so the failure cannot be seen sooner.
		_ = s.cfg.Sleep(ctx, delay)
		return nil, errClient(reason)
	}
	if err := s.lock.Success(ctx, rq.name, source, now); err != nil {
		s.cfg.Log.ErrorContext(ctx, "sts reset lockout", "err", err)
	}
	return u, nil
}

// discovery is the OpenID Provider metadata (OpenID Connect Discovery
// §3) for what this service does: issue tokens at token_endpoint, signed
// by the keys at jwks_uri.
type discovery struct {
	Issuer                   string   `json:"issuer"`
	JWKSURI                  string   `json:"jwks_uri"`
	TokenEndpoint            string   `json:"token_endpoint"`
	GrantTypes               []string `json:"grant_types_supported"`
	TokenEndpointAuthMethods []string `json:"token_endpoint_auth_methods_supported"`
	ResponseTypes            []string `json:"response_types_supported"`
	SubjectTypes             []string `json:"subject_types_supported"`
	IDTokenSigningAlgs       []string `json:"id_token_signing_alg_values_supported"`
	Claims                   []string `json:"claims_supported"`
}

func (s *Service) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, errMethod("GET"), false)
		return
	}
	d := discovery{
		Issuer:                   s.cfg.Issuer,
		JWKSURI:                  s.cfg.Issuer + "/jwks",
		TokenEndpoint:            s.cfg.Issuer + "/token",
		GrantTypes:               []string{GrantPassword, GrantClientCredentials},
		TokenEndpointAuthMethods: []string{"client_secret_basic", "client_secret_post"},
		ResponseTypes:            []string{"token"},
		SubjectTypes:             []string{"public"},
		IDTokenSigningAlgs:       []string{s.cfg.Keys.Algorithm},
		Claims:                   []string{"iss", "aud", "sub", "iat", "nbf", "exp", "jti", "groups", MaxUsesClaim, ContentKeyIDClaim},
	}
	if s.cfg.Operators != nil {
		d.GrantTypes = append(d.GrantTypes, GrantOnBehalfOf)
	}
	// Public documents: any origin may read them.
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writeJSON(w, http.StatusOK, d, "public, max-age=300")
}

func (s *Service) serveJWKS(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, errMethod("GET"), false)
		return
	}
	set, err := s.JWKS(r.Context())
	if err != nil {
		s.cfg.Log.ErrorContext(r.Context(), "sts jwks failed", "err", err)
		writeError(w, errServer(), false)
		return
	}
	// Well under Keys.PrePublish, so cached copies learn a successor
	// before it signs.
	maxAge := min(5*time.Minute, s.cfg.Keys.PrePublish/2)
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writeJSON(w, http.StatusOK, set, "public, max-age="+strconv.FormatInt(int64(maxAge/time.Second), 10))
}
