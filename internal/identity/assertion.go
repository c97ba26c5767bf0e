package identity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/auth/claims"
	"github.com/lockstream/lockstream/internal/store"
)

// assertionType is the only client_assertion_type (RFC 7523 §2.2).
const assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// maxAssertionBytes bounds a client assertion before parsing; MSAL's are
// about 1 KB, 5 KB with an x5c chain.
const maxAssertionBytes = 16 << 10

// assertionAlgs are the algorithms a client assertion may use: MSAL signs
// PS256, ADFS-style clients RS256.
var assertionAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.PS256}

// assertionSubject returns the client id a client assertion claims (iss,
// which must equal sub), without verifying anything: it only selects the
// principal and the lockout record.
func assertionSubject(assertion string) (string, error) {
	_, payload, err := claims.Split(assertion, maxAssertionBytes)
	if err != nil {
		return "", err
	}
	c, err := claims.Parse(payload)
	if err != nil {
		return "", err
	}
	iss, _, err1 := c.String("iss")
	sub, _, err2 := c.String("sub")
	if err := errors.Join(err1, err2); err != nil {
		return "", err
	}
	if iss == "" || iss != sub {
		return "", fmt.Errorf("%w: iss and sub must be the client id", claims.ErrMalformed)
	}
	return iss, nil
}

// jtiDoc records a used assertion id until the assertion expires.
type jtiDoc struct {
	Expires string `json:"expires"` // store.FormatTime
}

// checkAssertion authenticates a client by a JWT client assertion signed
// with the key of one of its registered certificates. audiences are the
// token endpoint URLs the assertion may be addressed to. reason (for logs)
// is set when authentication fails without an internal error.
func (s *Service) checkAssertion(ctx context.Context, clientID, assertion string, audiences []string, now time.Time) (*principalRecord, string, error) {
	rawHeader, _, err := claims.Split(assertion, maxAssertionBytes)
	if err != nil {
		return nil, "malformed assertion", nil
	}
	h, err := claims.Parse(rawHeader)
	if err != nil || claims.CheckHeader(h, "alg", "typ", "kid", "x5t", "x5t#S256", "x5c") != nil {
		// x5c is tolerated (MSAL's SendX5C) but never used: only
		// registered certificates are trusted (RFC 8725 §3.10).
		return nil, "assertion header", nil
	}
	jws, err := jose.ParseSignedCompact(assertion, assertionAlgs)
	if err != nil {
		return nil, "assertion algorithm or encoding", nil
	}
	pr, err := s.loadPrincipal(ctx, s.cfg.Store, clientID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "unknown client", nil
	}
	if err != nil {
		return nil, "", err
	}
	var payload []byte
	for _, c := range validCertificates(pr, now) {
		if payload, err = jws.Verify(c.PublicKey); err == nil {
			break
		}
		payload = nil
	}
	if payload == nil {
		return nil, "assertion signature (no registered certificate verifies it)", nil
	}
	c, err := claims.Parse(payload)
	if err != nil {
		return nil, "assertion claims", nil
	}
	jti, exp, reason := s.checkAssertionClaims(c, pr.p.ClientID, audiences, now)
	if reason != "" {
		return nil, reason, nil
	}
	// Replay protection: the (client, jti) pair may be used once while the
	// assertion is valid; the record's name is a hash so any jti fits.
	sum := sha256.Sum256([]byte("lockstream jti\x00" + store.NameKey(pr.p.ClientID) + "\x00" + jti))
	doc, _ := json.Marshal(jtiDoc{Expires: store.FormatTime(exp.Add(s.cfg.Leeway))})
	res := &store.Resource{Kind: KindAssertionJTI, Scope: s.cfg.Scope, Name: hex.EncodeToString(sum[:24]),
		Created: now, Modified: now, Doc: doc}
	err = s.cfg.Store.WithTx(ctx, func(tx store.Tx) error { return tx.Create(ctx, res, nil) })
	switch {
	case errors.Is(err, store.ErrConflict):
		return nil, "assertion jti replayed", nil
	case err != nil:
		return nil, "", fmt.Errorf("identity: record assertion id: %w", err)
	}
	return pr, "", nil
}

// checkAssertionClaims applies RFC 7523 §3 and returns the jti and expiry,
// or a failure reason.
func (s *Service) checkAssertionClaims(c claims.Object, clientID string, audiences []string, now time.Time) (jti string, exp time.Time, reason string) {
	iss, _, err1 := c.String("iss")
	sub, _, err2 := c.String("sub")
	if errors.Join(err1, err2) != nil || !strings.EqualFold(iss, clientID) || iss != sub {
		return "", time.Time{}, "assertion iss/sub is not the client id"
	}
	aud, _, err := c.Strings("aud")
	if err != nil || !slices.ContainsFunc(aud, func(a string) bool { return slices.Contains(audiences, a) }) {
		return "", time.Time{}, "assertion aud is not this token endpoint"
	}
	exp, ok, err := c.NumericDate("exp")
	switch {
	case err != nil || !ok:
		return "", time.Time{}, "assertion without valid exp"
	case !now.Before(exp.Add(s.cfg.Leeway)):
		return "", time.Time{}, "assertion expired"
	case exp.Sub(now) > s.cfg.MaxAssertionLifetime+s.cfg.Leeway:
		return "", time.Time{}, "assertion lifetime too long"
	}
	for _, name := range []string{"nbf", "iat"} {
		t, ok, err := c.NumericDate(name)
		if err != nil || ok && t.After(now.Add(s.cfg.Leeway)) {
			return "", time.Time{}, "assertion " + name + " in the future or malformed"
		}
	}
	jti, _, err = c.String("jti")
	if err != nil || jti == "" || len(jti) > 256 {
		return "", time.Time{}, "assertion without valid jti"
	}
	return jti, exp, ""
}
