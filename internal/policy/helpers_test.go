package policy_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"hash"
	"math/big"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/netguard"
	"github.com/lockstream/lockstream/internal/policy"
)

const (
	testIssuer   = "https://sts.example.com/"
	testAudience = "urn:lockstream:test"
)

var (
	// testNow is the instant every table case is judged at.
	testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	// testKID is the key every case requests unless it says otherwise.
	testKID  = keys.KID{0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78, 0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0}
	otherKID = keys.KID{0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99}
)

// testKeys are made once per test binary: RSA generation is slow.
type testKeys struct {
	hs, hsAlt, hsOther    []byte
	rsa, rsaAlt, rsaOther *rsa.PrivateKey
	certKey               *rsa.PrivateKey
	certDER               []byte
	ec, ecOther           *ecdsa.PrivateKey
}

var fixtures = sync.OnceValue(func() *testKeys {
	k := &testKeys{
		hs:      fill(64, 1),
		hsAlt:   fill(32, 2),
		hsOther: fill(64, 3),
	}
	for _, p := range []**rsa.PrivateKey{&k.rsa, &k.rsaAlt, &k.rsaOther, &k.certKey} {
		var err error
		if *p, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	}
	for _, p := range []**ecdsa.PrivateKey{&k.ec, &k.ecOther} {
		var err error
		if *p, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			panic(err)
		}
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "lockstream test token signer"},
		NotBefore:    testNow.Add(-24 * time.Hour),
		NotAfter:     testNow.Add(365 * 24 * time.Hour),
	}
	var err error
	if k.certDER, err = x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.certKey.PublicKey, k.certKey); err != nil {
		panic(err)
	}
	return k
})

func fill(n int, b byte) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b + byte(i)
	}
	return out
}

// Restriction keys as stored in a policy.

func symKey(b []byte) *defs.ContentKeyPolicySymmetricTokenKey {
	return &defs.ContentKeyPolicySymmetricTokenKey{KeyValue: b}
}

func rsaKey(k *rsa.PrivateKey) *defs.ContentKeyPolicyRsaTokenKey {
	return &defs.ContentKeyPolicyRsaTokenKey{Modulus: k.N.Bytes(), Exponent: big.NewInt(int64(k.E)).Bytes()}
}

func certKey(der []byte) *defs.ContentKeyPolicyX509CertificateTokenKey {
	return &defs.ContentKeyPolicyX509CertificateTokenKey{RawBody: der}
}

// jwtRestriction is a Jwt restriction for testIssuer and testAudience.
func jwtRestriction(primary defs.ContentKeyPolicyRestrictionTokenKey, alternates ...defs.ContentKeyPolicyRestrictionTokenKey) *defs.ContentKeyPolicyTokenRestriction {
	return &defs.ContentKeyPolicyTokenRestriction{
		Issuer:                    testIssuer,
		Audience:                  testAudience,
		PrimaryVerificationKey:    primary,
		AlternateVerificationKeys: alternates,
		RestrictionTokenType:      defs.ContentKeyPolicyRestrictionTokenTypeJwt,
	}
}

func swtRestriction(primary defs.ContentKeyPolicyRestrictionTokenKey, alternates ...defs.ContentKeyPolicyRestrictionTokenKey) *defs.ContentKeyPolicyTokenRestriction {
	r := jwtRestriction(primary, alternates...)
	r.RestrictionTokenType = defs.ContentKeyPolicyRestrictionTokenTypeSwt
	return r
}

func withClaims(r *defs.ContentKeyPolicyTokenRestriction, c ...defs.ContentKeyPolicyTokenClaim) *defs.ContentKeyPolicyTokenRestriction {
	r.RequiredClaims = c
	return r
}

func claim(typ, value string) defs.ContentKeyPolicyTokenClaim {
	return defs.ContentKeyPolicyTokenClaim{ClaimType: typ, ClaimValue: value}
}

// option is one named option; configuration defaults to Clear Key.
func option(name string, r defs.ContentKeyPolicyRestriction) defs.ContentKeyPolicyOption {
	return defs.ContentKeyPolicyOption{Name: name, PolicyOptionID: "id-" + name,
		Configuration: &defs.ContentKeyPolicyClearKeyConfiguration{}, Restriction: r}
}

func pol(opts ...defs.ContentKeyPolicyOption) *defs.ContentKeyPolicyProperties {
	return &defs.ContentKeyPolicyProperties{Options: opts}
}

func single(r defs.ContentKeyPolicyRestriction) *defs.ContentKeyPolicyProperties {
	return pol(option("only", r))
}

// Claims sets.

type claimSet map[string]any

// baseClaims are valid for testIssuer/testAudience at testNow.
func baseClaims() claimSet {
	return claimSet{
		"iss": testIssuer,
		"aud": testAudience,
		"nbf": testNow.Add(-2 * time.Minute).Unix(), // as the AMS samples do
		"exp": testNow.Add(30 * time.Minute).Unix(),
	}
}

func (c claimSet) with(kv ...any) claimSet {
	out := claimSet{}
	for k, v := range c {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		name := kv[i].(string)
		if kv[i+1] == nil {
			delete(out, name)
			continue
		}
		out[name] = kv[i+1]
	}
	return out
}

// jsonNull marshals as JSON null (with() deletes a claim given nil).
type jsonNull struct{}

func (jsonNull) MarshalJSON() ([]byte, error) { return []byte("null"), nil }

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// joseJWT signs claims with go-jose, as a real issuer would.
func joseJWT(t testing.TB, alg jose.SignatureAlgorithm, key any, kid string, c claimSet) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := s.Sign([]byte(mustJSON(c)))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

var b64 = base64.RawURLEncoding.EncodeToString

// rawJWT signs the exact header and payload text given, so that attack
// tokens (duplicate members, odd types) carry valid signatures and fail
// only for the rule under test. key is []byte for HS*, *rsa.PrivateKey
// for RS*/PS*, *ecdsa.PrivateKey for ES256, nil for an empty signature.
func rawJWT(header, payload string, key any) string {
	input := b64([]byte(header)) + "." + b64([]byte(payload))
	var alg string
	var h struct {
		Alg string `json:"alg"`
	}
	if json.Unmarshal([]byte(header), &h) == nil {
		alg = h.Alg
	}
	return input + "." + b64(signRaw(alg, key, []byte(input)))
}

func signRaw(alg string, key any, input []byte) []byte {
	hashFor := map[string]func() hash.Hash{"256": sha256.New, "384": sha512.New384, "512": sha512.New}
	cryptoFor := map[string]crypto.Hash{"256": crypto.SHA256, "384": crypto.SHA384, "512": crypto.SHA512}
	if len(alg) != 5 {
		return []byte("not signed") // an algorithm nothing here can sign
	}
	size := alg[2:]
	switch k := key.(type) {
	case []byte:
		m := hmac.New(hashFor[size], k)
		m.Write(input)
		return m.Sum(nil)
	case *rsa.PrivateKey:
		h := hashFor[size]()
		h.Write(input)
		var sig []byte
		var err error
		if strings.HasPrefix(alg, "PS") {
			sig, err = rsa.SignPSS(rand.Reader, k, cryptoFor[size], h.Sum(nil), &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		} else {
			sig, err = rsa.SignPKCS1v15(rand.Reader, k, cryptoFor[size], h.Sum(nil))
		}
		if err != nil {
			panic(err)
		}
		return sig
	case *ecdsa.PrivateKey:
		d := sha256.Sum256(input)
		r, s, err := ecdsa.Sign(rand.Reader, k, d[:])
		if err != nil {
			panic(err)
		}
		out := make([]byte, 64)
		r.FillBytes(out[:32])
		s.FillBytes(out[32:])
		return out
	}
	return nil
}

// hsJWT is the common case: HS256 over claims with a JWT typ.
func hsJWT(key []byte, c claimSet) string {
	return rawJWT(`{"alg":"HS256","typ":"JWT"}`, mustJSON(c), key)
}

// SWT helpers: names and values URL-encoded as the .NET and npm issuers do.

type swtPair struct{ name, value string }

func swtBody(pairs ...swtPair) string {
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = url.QueryEscape(p.name) + "=" + url.QueryEscape(p.value)
	}
	return strings.Join(parts, "&")
}

func swtSign(key []byte, body string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(body))
	return url.QueryEscape(base64.StdEncoding.EncodeToString(m.Sum(nil)))
}

// swt returns body&HMACSHA256=sig.
func swt(key []byte, pairs ...swtPair) string {
	body := swtBody(pairs...)
	return body + "&HMACSHA256=" + swtSign(key, body)
}

func swtBase(exp time.Time, extra ...swtPair) []swtPair {
	return append([]swtPair{
		{"Issuer", testIssuer},
		{"Audience", testAudience},
		{"ExpiresOn", big.NewInt(exp.Unix()).String()},
	}, extra...)
}

func newEvaluator(t testing.TB, cfg policy.Config) *policy.Evaluator {
	t.Helper()
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return testNow }
	}
	if cfg.Outbound == nil {
		cfg.Outbound = localGuard(cfg.AllowInsecureDiscovery)
	}
	e, err := policy.NewEvaluator(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// localGuard is an outbound guard that admits the loopback test servers
// the OIDC tests run, trusting the TLS ones given. That the default guard
// refuses them is tested in ssrf_test.go.
func localGuard(allowHTTP bool, trust ...*httptest.Server) *netguard.Guard {
	var pool *x509.CertPool
	if len(trust) > 0 {
		pool = x509.NewCertPool()
		for _, s := range trust {
			pool.AddCert(s.Certificate())
		}
	}
	return netguard.New(netguard.Options{AllowPrivate: true, AllowHTTP: allowHTTP, RootCAs: pool})
}
