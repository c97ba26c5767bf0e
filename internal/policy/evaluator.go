package policy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/netguard"
	"github.com/lockstream/lockstream/internal/ttlcache"
)

// Defaults and limits of Config.
const (
	DefaultClockSkew              = 5 * time.Minute
	MaxClockSkew                  = 15 * time.Minute
	DefaultMaxTokenBytes          = 8 << 10
	DefaultFetchTimeout           = 10 * time.Second
	DefaultMaxDocumentBytes       = 1 << 20
	DefaultJWKSMinRefreshInterval = 5 * time.Minute
	DefaultJWKSMaxAge             = time.Hour
)

// Config configures NewEvaluator. The zero value is usable.
type Config struct {
	// ClockSkew is the leeway on exp and nbf; default DefaultClockSkew, at
	// most MaxClockSkew. See the package documentation for why it is this
	// large.
	ClockSkew time.Duration
	// MaxTokenBytes bounds a token before any decoding; default
	// DefaultMaxTokenBytes.
	MaxTokenBytes int
	// UseCounter counts uses of max-uses tokens. Nil means a
	// MemoryUseCounter private to the Evaluator, which is correct only
	// when one process serves all key requests.
	UseCounter UseCounter
	// Outbound makes the OpenID Connect discovery and JWKS requests: the
	// node's outbound-request guard (package netguard), which refuses
	// loopback, private and other internal destinations, also after
	// redirects. Nil means a guard with the defaults (public https; http
	// too with AllowInsecureDiscovery).
	Outbound Outbound
	// AllowInsecureDiscovery admits http:// discovery and JWKS URLs. For
	// tests and development only.
	AllowInsecureDiscovery bool
	// FetchTimeout bounds each discovery or JWKS fetch; default
	// DefaultFetchTimeout.
	FetchTimeout time.Duration
	// MaxDocumentBytes bounds each fetched document; default
	// DefaultMaxDocumentBytes.
	MaxDocumentBytes int64
	// JWKSMinRefreshInterval is the least time between two fetches of one
	// key set, so that tokens with made-up kids cannot hammer the issuer;
	// default DefaultJWKSMinRefreshInterval.
	JWKSMinRefreshInterval time.Duration
	// JWKSMaxAge is how long a fetched key set is used before it is
	// fetched again, so that keys the issuer withdrew stop verifying;
	// default DefaultJWKSMaxAge.
	JWKSMaxAge time.Duration
	// Now is the clock for key-set ages and for requests without Now;
	// default time.Now.
	Now func() time.Time
}

// Outbound is what the Evaluator needs of the outbound-request guard
// (*netguard.Guard).
type Outbound interface {
	Client() *http.Client
}

// Evaluator evaluates content key policies. It is safe for concurrent use.
type Evaluator struct {
	cfg    Config
	client *http.Client

	mu      sync.Mutex
	sources map[string]*keySource // OIDC key sets by discovery URL and issuer

	// parsed keeps parsed JWTs by their compact form: a player sends the
	// same token with every key and license request, and parsing (JSON
	// header and claims, go-jose's own parse) costs more than checking an
	// HMAC. The parse is kept, with the key that verified the signature
	// (verified.go); claims and max-uses are checked on every request, a
	// signature again whenever another key is tried.
	parsed *ttlcache.Cache[string, *jwtToken]
	// verifiers keeps configured RSA and X.509 verification keys parsed,
	// by their bytes.
	verifiers *ttlcache.Cache[string, verifier]
}

// Cache bounds: tokens live minutes and are at most MaxTokenBytes each.
const (
	parsedTokenTTL     = time.Minute
	maxParsedTokens    = 4096
	maxParsedVerifiers = 1024
)

// NewEvaluator validates cfg, fills in defaults and returns an Evaluator.
func NewEvaluator(cfg Config) (*Evaluator, error) {
	switch {
	case cfg.ClockSkew < 0 || cfg.ClockSkew > MaxClockSkew:
		return nil, fmt.Errorf("policy: new evaluator: ClockSkew %v outside [0, %v]", cfg.ClockSkew, MaxClockSkew)
	case cfg.MaxTokenBytes < 0, cfg.FetchTimeout < 0, cfg.MaxDocumentBytes < 0,
		cfg.JWKSMinRefreshInterval < 0, cfg.JWKSMaxAge < 0:
		return nil, errors.New("policy: new evaluator: negative limit")
	}
	if cfg.ClockSkew == 0 {
		cfg.ClockSkew = DefaultClockSkew
	}
	if cfg.MaxTokenBytes == 0 {
		cfg.MaxTokenBytes = DefaultMaxTokenBytes
	}
	if cfg.FetchTimeout == 0 {
		cfg.FetchTimeout = DefaultFetchTimeout
	}
	if cfg.MaxDocumentBytes == 0 {
		cfg.MaxDocumentBytes = DefaultMaxDocumentBytes
	}
	if cfg.JWKSMinRefreshInterval == 0 {
		cfg.JWKSMinRefreshInterval = DefaultJWKSMinRefreshInterval
	}
	if cfg.JWKSMaxAge == 0 {
		cfg.JWKSMaxAge = DefaultJWKSMaxAge
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.UseCounter == nil {
		cfg.UseCounter = NewMemoryUseCounter(cfg.Now)
	}
	if cfg.Outbound == nil {
		cfg.Outbound = netguard.New(netguard.Options{
			AllowHTTP: cfg.AllowInsecureDiscovery, MaxBody: cfg.MaxDocumentBytes, Timeout: cfg.FetchTimeout,
		})
	}
	return &Evaluator{
		cfg:       cfg,
		client:    fetchClient(cfg.Outbound.Client(), cfg.AllowInsecureDiscovery),
		sources:   map[string]*keySource{},
		parsed:    ttlcache.New[string, *jwtToken](parsedTokenTTL, maxParsedTokens),
		verifiers: ttlcache.New[string, verifier](0, maxParsedVerifiers),
	}, nil
}

// Request is one key or license request to decide.
type Request struct {
	// Policy is the content key policy of the key, secrets included.
	Policy *defs.ContentKeyPolicyProperties
	Kind   Kind
	// KID is the requested key; token bindings are checked against it.
	KID keys.KID
	// Token is the raw JWT or SWT, "" when the request carried none.
	Token string
	// Now is the time the request is judged at; zero means Config.Now().
	Now time.Time
}

// Decision is the option that granted a request.
type Decision struct {
	// Index is the option's position in the policy.
	Index int
	// Name and ID are the option's name and policyOptionId.
	Name string
	ID   string
	// TokenExpires is the expiry of the token that passed the restriction,
	// zero for an open restriction. License builders may cap license
	// durations with it.
	TokenExpires time.Time
}

// Evaluate returns the first option of req.Policy that serves req.Kind and
// whose restriction req passes. Refusals are [*Error] values (see the
// package documentation); other errors mean the request could not be
// judged (nil policy, cancelled context).
func (e *Evaluator) Evaluate(ctx context.Context, req Request) (Decision, error) {
	if req.Policy == nil {
		return Decision{}, errors.New("policy: evaluate: nil policy")
	}
	if req.Now.IsZero() {
		req.Now = e.cfg.Now()
	}
	st := &evaluation{e: e, req: req}
	var best *Error
	for i := range req.Policy.Options {
		o := &req.Policy.Options[i]
		if o.Configuration == nil || !req.Kind.serves(o.Configuration) {
			continue
		}
		expires, err := st.check(ctx, o.Restriction)
		if err == nil {
			return Decision{Index: i, Name: o.Name, ID: o.PolicyOptionID, TokenExpires: expires}, nil
		}
		var pe *Error
		if !errors.As(err, &pe) {
			return Decision{}, fmt.Errorf("policy: evaluate option %d: %w", i, err)
		}
		pe.Option = i
		if st.final {
			// A max-uses token passed this option and was then refused
			// (spent, malformed count, counter down): other options
			// would only count it again.
			return Decision{}, pe
		}
		if best == nil || pe.rank() > best.rank() {
			best = pe
		}
	}
	if best == nil {
		return Decision{}, &Error{Class: ErrForbidden, Public: msgNoOption, Option: -1,
			Reason: fmt.Sprintf("none of %d options serves %s", len(req.Policy.Options), req.Kind), Err: ErrNoOption}
	}
	return Decision{}, best
}

// evaluation holds per-request state shared by the options, so that a
// token is parsed once however many options try it.
type evaluation struct {
	e   *Evaluator
	req Request

	jwt    *jwtToken
	jwtErr *Error
	swt    *swtToken
	swtErr *Error

	// final is set when an error ends the evaluation for all options.
	final bool
}

// check applies one restriction and returns the expiry of the token that
// passed it (zero for open restrictions).
func (st *evaluation) check(ctx context.Context, r defs.ContentKeyPolicyRestriction) (time.Time, error) {
	switch r := r.(type) {
	case *defs.ContentKeyPolicyOpenRestriction:
		return time.Time{}, nil
	case *defs.ContentKeyPolicyTokenRestriction:
		if r == nil {
			break
		}
		return st.checkToken(ctx, r)
	}
	return time.Time{}, &Error{Class: ErrForbidden, Public: msgBadRestriction, Option: -1,
		Reason: fmt.Sprintf("restriction %T cannot pass", r)}
}

// checkToken verifies the token against a token restriction and, when
// everything else passed, counts a use of a max-uses token.
func (st *evaluation) checkToken(ctx context.Context, r *defs.ContentKeyPolicyTokenRestriction) (time.Time, error) {
	if r.Issuer == "" || r.Audience == "" {
		// The API refuses such restrictions; a stored one must not let
		// tokens without iss or aud through.
		return time.Time{}, &Error{Class: ErrForbidden, Public: msgBadRestriction, Option: -1,
			Reason: "restriction without issuer or audience"}
	}
	if st.req.Token == "" {
		return time.Time{}, unauthenticated(msgTokenRequired, "no token in request", nil)
	}
	if n := len(st.req.Token); n > st.e.cfg.MaxTokenBytes {
		return time.Time{}, unauthenticated(msgInvalidToken,
			fmt.Sprintf("token of %d bytes exceeds limit %d", n, st.e.cfg.MaxTokenBytes), nil)
	}
	var (
		tok *verifiedToken
		err error
	)
	switch r.RestrictionTokenType {
	case defs.ContentKeyPolicyRestrictionTokenTypeJwt:
		tok, err = st.verifyJWT(ctx, r)
	case defs.ContentKeyPolicyRestrictionTokenTypeSwt:
		tok, err = st.verifySWT(r)
	default:
		return time.Time{}, &Error{Class: ErrForbidden, Public: msgBadRestriction, Option: -1,
			Reason: fmt.Sprintf("restriction token type %s", quote(string(r.RestrictionTokenType)))}
	}
	if err != nil {
		return time.Time{}, err
	}
	if err := st.checkClaims(r, tok); err != nil {
		return time.Time{}, err
	}
	if err := st.consumeUse(ctx, tok); err != nil {
		return time.Time{}, err
	}
	return tok.expires, nil
}
