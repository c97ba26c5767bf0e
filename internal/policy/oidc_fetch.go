package policy

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/auth/claims"
)

const (
	// maxJWKSKeys bounds a key set, and so the verifications a token
	// without kid can cost. Real issuers publish a handful.
	maxJWKSKeys = 100
	// minJWKSRSABits is the RSA floor for keys from a JWKS (RFC 8725
	// §3.4); configured keys keep AMS's 1024-bit floor for parity.
	minJWKSRSABits = 2048
)

// fetchClient wraps the guard's client so that redirects also keep to the
// evaluator's scheme rule (an https discovery URL must not be downgraded
// to http by a redirect unless http is allowed here); the guard's own
// redirect checks still run.
func fetchClient(c *http.Client, allowHTTP bool) *http.Client {
	cp := *c
	prev := c.CheckRedirect
	cp.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := checkFetchURL(req.URL, allowHTTP); err != nil {
			return fmt.Errorf("redirect: %w", err)
		}
		if prev != nil {
			return prev(req, via)
		}
		return nil
	}
	return &cp
}

// checkFetchURL applies the evaluator's own scheme rule before the guard
// sees the URL: with AllowInsecureDiscovery off, http is refused even
// when the node's guard admits it for other fetches. The guard's client
// checks every destination, including redirects.
func checkFetchURL(u *url.URL, allowHTTP bool) error {
	switch {
	case u.Scheme == "https", u.Scheme == "http" && allowHTTP:
	default:
		return fmt.Errorf("URL scheme %s not allowed", quote(u.Scheme))
	}
	if u.Host == "" {
		return errors.New("URL without host")
	}
	if u.User != nil {
		return errors.New("URL with credentials not allowed")
	}
	return nil
}

// fetchJSON GETs rawURL and returns its body, at most MaxDocumentBytes.
func (e *Evaluator) fetchJSON(ctx context.Context, rawURL string) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("parse URL: %w", err)
	}
	if err := checkFetchURL(u, e.cfg.AllowInsecureDiscovery); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, e.cfg.FetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("new request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := e.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", u.Redacted(), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("get %s: status %d", u.Redacted(), resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, e.cfg.MaxDocumentBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", u.Redacted(), err)
	}
	if int64(len(body)) > e.cfg.MaxDocumentBytes {
		return nil, fmt.Errorf("read %s: larger than %d bytes", u.Redacted(), e.cfg.MaxDocumentBytes)
	}
	return body, nil
}

// fetchKeySet reads the discovery document, checks its issuer and reads
// the key set it points to.
func (e *Evaluator) fetchKeySet(ctx context.Context, discoveryURL, issuer string) (*jwkSet, error) {
	body, err := e.fetchJSON(ctx, discoveryURL)
	if err != nil {
		return nil, fmt.Errorf("discovery document: %w", err)
	}
	doc, err := claims.Parse(body)
	if err != nil {
		return nil, fmt.Errorf("discovery document: %w", err)
	}
	docIssuer, _, err := doc.String("issuer")
	if err != nil {
		return nil, fmt.Errorf("discovery document: %w", err)
	}
	// OpenID Connect Discovery §4.3: the issuer must be exactly the one
	// the document was expected for, or a document served for another
	// tenant could supply keys for this one.
	if docIssuer != issuer {
		return nil, fmt.Errorf("discovery document issuer %s differs from the restriction's", quote(docIssuer))
	}
	jwksURI, _, err := doc.String("jwks_uri")
	if err != nil || jwksURI == "" {
		return nil, errors.New("discovery document without jwks_uri")
	}
	if body, err = e.fetchJSON(ctx, jwksURI); err != nil {
		return nil, fmt.Errorf("key set: %w", err)
	}
	return parseJWKS(body)
}

// jwkSet is the usable part of a fetched JWKS.
type jwkSet struct {
	byKID map[string][]verifier
	all   []verifier
}

func (s *jwkSet) has(kid string) bool { return len(s.byKID[kid]) > 0 }

// lookup returns the keys a token may be verified with: those with its
// kid, or every key when the token names none.
func (s *jwkSet) lookup(kid string) []verifier {
	if kid == "" {
		return s.all
	}
	return s.byKID[kid]
}

// parseJWKS keeps the keys that can verify key-delivery tokens and skips
// the rest, so that one exotic key does not make a whole set unusable.
func parseJWKS(body []byte) (*jwkSet, error) {
	doc, err := claims.Parse(body)
	if err != nil {
		return nil, fmt.Errorf("key set: %w", err)
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(doc["keys"], &raws); err != nil {
		return nil, errors.New("key set: keys is not an array")
	}
	if len(raws) > maxJWKSKeys {
		return nil, fmt.Errorf("key set: %d keys, limit %d", len(raws), maxJWKSKeys)
	}
	s := &jwkSet{byKID: map[string][]verifier{}}
	for _, raw := range raws {
		kid, v, ok := jwkVerifier(raw)
		if !ok {
			continue
		}
		s.all = append(s.all, v)
		if kid != "" {
			s.byKID[kid] = append(s.byKID[kid], v)
		}
	}
	if len(s.all) == 0 {
		return nil, fmt.Errorf("key set: none of %d keys can verify signatures", len(raws))
	}
	return s, nil
}

// jwkVerifier reads one JWK. Only public signature keys qualify: RSA of at
// least minJWKSRSABits for RS*/PS*, P-256 for ES256. Symmetric keys in a
// public document, private keys and keys for encryption are skipped. An
// alg member narrows the key to that one algorithm.
func jwkVerifier(raw []byte) (kid string, v verifier, ok bool) {
	var k jose.JSONWebKey
	if err := k.UnmarshalJSON(raw); err != nil || !k.Valid() || !k.IsPublic() {
		return "", verifier{}, false
	}
	if k.Use != "" && k.Use != "sig" {
		return "", verifier{}, false
	}
	switch pub := k.Key.(type) {
	case *rsa.PublicKey:
		if checkRSA(pub.N, pub.E, minJWKSRSABits) != nil {
			return "", verifier{}, false
		}
		v = verifier{key: pub, algs: rsaAlgs}
	case *ecdsa.PublicKey:
		if pub.Curve != elliptic.P256() {
			return "", verifier{}, false
		}
		v = verifier{key: pub, algs: ecAlgs}
	default:
		return "", verifier{}, false
	}
	if k.Algorithm != "" {
		alg := jose.SignatureAlgorithm(k.Algorithm)
		if !slices.Contains(v.algs, alg) {
			return "", verifier{}, false
		}
		v.algs = []jose.SignatureAlgorithm{alg}
	}
	return k.KeyID, v, true
}
