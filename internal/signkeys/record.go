package signkeys

import (
	"cmp"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/store"
)

// The algorithms of stored keys. (sts's HS256 key is configured, never
// stored, so it has no place here.)
const (
	RS256 = "RS256"
	ES256 = "ES256"
)

// aad binds a sealed private key to its record, so that a sealed blob
// copied to another record does not open.
func aad(k store.Key) []byte { return []byte(store.ResourceAAD(k.Kind, k.Scope, k.Name)) }

// load reads every key record with rd, in ascending sequence order. A
// record that does not decode fails the whole load rather than being
// skipped: a node must not sign while missing a key other nodes see.
func (r *Ring) load(ctx context.Context, rd store.Reader) ([]*Key, error) {
	rs, err := rd.List(ctx, store.ListQuery{Kind: r.cfg.Kind, Scope: r.cfg.Scope})
	if err != nil {
		return nil, r.errorf("list signing keys: %w", err)
	}
	ks := make([]*Key, 0, len(rs))
	for _, res := range rs {
		k, err := r.decode(res)
		if err != nil {
			return nil, err
		}
		ks = append(ks, k)
	}
	slices.SortFunc(ks, func(a, b *Key) int { return cmp.Compare(a.doc.Seq, b.doc.Seq) })
	return ks, nil
}

// decode checks a record: its public JWK must match its kid and alg.
func (r *Ring) decode(res *store.Resource) (*Key, error) {
	k := &Key{ring: r, name: res.Name, sealed: res.Secret, aad: aad(res.Key())}
	var err error
	if err = json.Unmarshal(res.Doc, &k.doc); err != nil {
		return nil, r.errorf("decode signing key %s: %w", res.Name, err)
	}
	if k.activates, err = time.Parse(store.TimeLayout, k.doc.Activates); err != nil {
		return nil, r.errorf("signing key %s activation: %w", res.Name, err)
	}
	if err := k.jwk.UnmarshalJSON(k.doc.JWK); err != nil || !k.jwk.IsPublic() || k.jwk.KeyID != k.doc.KID {
		return nil, r.errorf("signing key %s: bad public JWK", res.Name)
	}
	switch pub := k.jwk.Key.(type) {
	case *rsa.PublicKey:
		if k.doc.Alg != RS256 {
			return nil, r.errorf("signing key %s: RSA key with alg %s", res.Name, k.doc.Alg)
		}
		k.pub = pub
	case *ecdsa.PublicKey:
		if k.doc.Alg != ES256 || pub.Curve != elliptic.P256() {
			return nil, r.errorf("signing key %s: EC key with alg %s", res.Name, k.doc.Alg)
		}
		k.pub = pub
	default:
		return nil, r.errorf("signing key %s: unsupported key type %T", res.Name, k.jwk.Key)
	}
	return k, nil
}

// generate makes a new private key for the configured algorithm.
func (r *Ring) generate() (crypto.Signer, error) {
	if r.cfg.Algorithm == ES256 {
		k, err := ecdsa.GenerateKey(elliptic.P256(), r.cfg.Rand)
		if err != nil {
			return nil, r.errorf("generate ES256 key: %w", err)
		}
		return k, nil
	}
	k, err := rsa.GenerateKey(r.cfg.Rand, r.cfg.RSABits)
	if err != nil {
		return nil, r.errorf("generate RS256 key: %w", err)
	}
	return k, nil
}

// record builds the store record of key number seq and returns its kid.
func (r *Ring) record(priv crypto.Signer, seq int64, activates time.Time) (*store.Resource, string, error) {
	jwk := jose.JSONWebKey{Key: priv.Public(), Algorithm: r.cfg.Algorithm, Use: "sig"}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, "", r.errorf("key thumbprint: %w", err)
	}
	// RFC 7638 thumbprint: stable, unique per key, reveals nothing.
	jwk.KeyID = base64.RawURLEncoding.EncodeToString(tp)
	pub, err := jwk.MarshalJSON()
	if err != nil {
		return nil, "", r.errorf("encode public key: %w", err)
	}
	doc, err := json.Marshal(keyDoc{KID: jwk.KeyID, Alg: r.cfg.Algorithm, Seq: seq,
		Activates: store.FormatTime(activates), JWK: pub})
	if err != nil {
		return nil, "", r.errorf("encode key record: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, "", r.errorf("encode private key: %w", err)
	}
	defer clear(der)
	now := r.cfg.Now()
	res := &store.Resource{Kind: r.cfg.Kind, Scope: r.cfg.Scope, Name: keyName(seq), ID: jwk.KeyID,
		Created: now, Modified: now, Doc: doc}
	if res.Secret, err = r.cfg.Sealer.Seal(der, aad(res.Key())); err != nil {
		return nil, "", r.errorf("seal private key: %w", err)
	}
	return res, jwk.KeyID, nil
}
