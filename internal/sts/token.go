package sts

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/store"
)

// The AMS claims a token request may ask for.
const (
	// MaxUsesClaim limits how often key delivery accepts the token.
	MaxUsesClaim = "urn:microsoft:azure:mediaservices:maxuses"
	// ContentKeyIDClaim binds the token to one content key id.
	ContentKeyIDClaim = "urn:microsoft:azure:mediaservices:contentkeyidentifier"
)

// MaxUsesLifetime is the longest a token with maxuses lives. Key delivery
// refuses such tokens when they expire more than an hour ahead (as AMS
// did); the margin covers clock differences between nodes.
const MaxUsesLifetime = 55 * time.Minute

// Options narrow a token beyond what its user is entitled to.
type Options struct {
	// MaxUses, when positive, is the maxuses claim.
	MaxUses int64
	// ContentKeyID, when set, is the contentkeyidentifier claim: a GUID
	// in canonical lower-case form.
	ContentKeyID string
}

type claim struct {
	name  string
	value any
}

// Token is an issued token.
type Token struct {
	Token   string
	KID     string
	Expires time.Time
}

// Issue signs a token for user u (as loaded from the store) with the
// current key. Claims: iss, aud, sub (the user id), iat, nbf, exp, jti,
// groups when the user has any, the user's extra claims, and the claims
// opts ask for.
func (s *Service) Issue(ctx context.Context, u *store.User, opts Options) (Token, error) {
	k, err := s.signer(ctx)
	if err != nil {
		return Token{}, err
	}
	claims, err := decodeClaims(u.Claims)
	if err != nil {
		return Token{}, err
	}
	// Never let a stored claim (from an older version, or written around
	// the checks) override what the service sets.
	for _, r := range reservedClaims {
		delete(claims, r)
	}
	jti := make([]byte, 16)
	if err := s.readRand(jti); err != nil {
		return Token{}, err
	}
	now := s.now()
	life := s.cfg.TokenLifetime
	if opts.MaxUses > 0 {
		life = min(life, MaxUsesLifetime)
	}
	exp := now.Add(life)
	// A random jti makes every token, and so its signature, unique:
	// max-uses counters are keyed by signature, and two identical tokens
	// would share one.
	set := []claim{
		{"iss", s.cfg.Issuer}, {"aud", s.cfg.Audience}, {"sub", u.ID},
		{"iat", now.Unix()}, {"nbf", now.Unix()}, {"exp", exp.Unix()},
		{"jti", base64.RawURLEncoding.EncodeToString(jti)},
	}
	if len(u.Groups) > 0 {
		set = append(set, claim{"groups", u.Groups})
	}
	if opts.MaxUses > 0 {
		// A string, as the .NET token handler of the AMS samples writes it.
		set = append(set, claim{MaxUsesClaim, strconv.FormatInt(opts.MaxUses, 10)})
	}
	if opts.ContentKeyID != "" {
		set = append(set, claim{ContentKeyIDClaim, opts.ContentKeyID})
	}
	for _, c := range set {
		b, err := json.Marshal(c.value)
		if err != nil {
			return Token{}, fmt.Errorf("sts: encode claim %s: %w", c.name, err)
		}
		claims[c.name] = b
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return Token{}, fmt.Errorf("sts: encode claims: %w", err)
	}
	// kid goes in as a plain header: go-jose sets it from a JSONWebKey
	// only for asymmetric keys.
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(k.alg), Key: k.key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", k.kid))
	if err != nil {
		return Token{}, fmt.Errorf("sts: signer: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return Token{}, fmt.Errorf("sts: sign token: %w", err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		return Token{}, fmt.Errorf("sts: serialize token: %w", err)
	}
	return Token{Token: tok, KID: k.kid, Expires: exp}, nil
}
