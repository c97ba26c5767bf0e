package keyexchange

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/store"
)

// Credential kinds: Lockstream-only resources under the account.
const (
	KindAPIKey         store.Kind = "keyExchangeApiKeys"
	KindWidevineSigner store.Kind = "widevineSigners"
)

// APIKeyHeader carries an API key on SPEKE requests.
const APIKeyHeader = "X-Api-Key"

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// ErrBadCredential means an API key or signer is unknown or wrong. It
// never says which, so it cannot be used to probe names.
var ErrBadCredential = errors.New("keyexchange: invalid credential")

// ErrInvalidInput means a management request is malformed; the message is
// safe to show.
type ErrInvalidInput struct{ Msg string }

func (e *ErrInvalidInput) Error() string { return e.Msg }

// Credentials manages API keys and Widevine signers.
type Credentials struct {
	Store  store.Store
	Sealer keys.Sealer
	Rand   io.Reader
	Now    func() time.Time
}

// CredentialInfo is what a listing shows of a credential: never a secret.
type CredentialInfo struct {
	Name    string `json:"name"`
	Created string `json:"created"`
}

func (c *Credentials) now() time.Time {
	if c.Now != nil {
		return c.Now().UTC()
	}
	return time.Now().UTC()
}

func (c *Credentials) rand() io.Reader {
	if c.Rand != nil {
		return c.Rand
	}
	return cryptoRand{}
}

func validName(n string) error {
	if !nameRE.MatchString(n) {
		return &ErrInvalidInput{Msg: "The name must be 1-64 characters: letters, digits, '-' and '_', starting with a letter or digit."}
	}
	return nil
}

// CreateAPIKey makes a new API key called name in the account and returns
// it as "<name>.<secret>": the only time the secret is shown.
func (c *Credentials) CreateAPIKey(ctx context.Context, acct Account, name string) (string, error) {
	if err := validName(name); err != nil {
		return "", err
	}
	secret := make([]byte, 32)
	if _, err := io.ReadFull(c.rand(), secret); err != nil {
		return "", fmt.Errorf("api key: %w", err)
	}
	if err := c.Store.WithTx(ctx, func(tx store.Tx) error { return c.create(ctx, tx, acct, KindAPIKey, name, secret) }); err != nil {
		return "", err
	}
	return name + "." + base64.RawURLEncoding.EncodeToString(secret), nil
}

func (c *Credentials) create(ctx context.Context, tx store.Tx, acct Account, kind store.Kind, name string, secret []byte) error {
	sealed, err := c.Sealer.Seal(secret, []byte(store.ResourceAAD(kind, acct.Path, name)))
	if err != nil {
		return fmt.Errorf("seal %s: %w", kind, err)
	}
	now := c.now()
	doc, _ := json.Marshal(CredentialInfo{Name: name, Created: store.FormatTime(now)})
	r := &store.Resource{Kind: kind, Scope: acct.Path, Name: name, Created: now, Modified: now, Doc: doc, Secret: sealed}
	if err := tx.Create(ctx, r, nil); err != nil {
		return fmt.Errorf("create %s %s: %w", kind, name, err)
	}
	return nil
}

// VerifyAPIKey checks "<name>.<secret>" against the account's keys.
func (c *Credentials) VerifyAPIKey(ctx context.Context, acct Account, presented string) error {
	name, enc, ok := strings.Cut(presented, ".")
	if !ok || validName(name) != nil {
		return ErrBadCredential
	}
	given, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return ErrBadCredential
	}
	secret, err := c.secret(ctx, acct, KindAPIKey, name)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(secret, given) != 1 {
		return ErrBadCredential
	}
	return nil
}

func (c *Credentials) secret(ctx context.Context, acct Account, kind store.Kind, name string) ([]byte, error) {
	r, err := c.Store.Get(ctx, store.Key{Kind: kind, Scope: acct.Path, Name: name})
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrBadCredential
	}
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", kind, err)
	}
	v, err := c.Sealer.Open(r.Secret, []byte(store.ResourceAAD(kind, acct.Path, r.Name)))
	if err != nil {
		return nil, fmt.Errorf("open %s %s: %w", kind, name, err)
	}
	return v, nil
}

// Signer is a Widevine key-server signer's AES credential.
type Signer struct {
	Key [32]byte
	IV  [16]byte
}

// PutSigner creates or replaces a Widevine signer from hex key and IV.
func (c *Credentials) PutSigner(ctx context.Context, acct Account, name, keyHex, ivHex string) error {
	if err := validName(name); err != nil {
		return err
	}
	k, err1 := hex.DecodeString(keyHex)
	iv, err2 := hex.DecodeString(ivHex)
	if err1 != nil || err2 != nil || len(k) != 32 || len(iv) != 16 {
		return &ErrInvalidInput{Msg: "aesSigningKey must be 64 and aesSigningIv 32 hexadecimal digits."}
	}
	// Replace in one transaction, so a failed write keeps the old signer.
	return c.Store.WithTx(ctx, func(tx store.Tx) error {
		err := tx.Delete(ctx, store.Key{Kind: KindWidevineSigner, Scope: acct.Path, Name: name})
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("replace signer %s: %w", name, err)
		}
		return c.create(ctx, tx, acct, KindWidevineSigner, name, append(k, iv...))
	})
}

// Signer returns the named signer of the account.
func (c *Credentials) Signer(ctx context.Context, acct Account, name string) (Signer, error) {
	if validName(name) != nil {
		return Signer{}, ErrBadCredential
	}
	v, err := c.secret(ctx, acct, KindWidevineSigner, name)
	if err != nil {
		return Signer{}, err
	}
	if len(v) != 48 {
		return Signer{}, fmt.Errorf("signer %s: %d secret bytes", name, len(v))
	}
	var s Signer
	copy(s.Key[:], v[:32])
	copy(s.IV[:], v[32:])
	return s, nil
}

// List lists the account's credentials of one kind.
func (c *Credentials) List(ctx context.Context, acct Account, kind store.Kind) ([]CredentialInfo, error) {
	out := []CredentialInfo{}
	q := store.ListQuery{Kind: kind, Scope: acct.Path, Limit: 1000}
	rs, err := c.Store.List(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", kind, err)
	}
	for _, r := range rs {
		var ci CredentialInfo
		if err := json.Unmarshal(r.Doc, &ci); err != nil {
			return nil, fmt.Errorf("decode %s %s: %w", kind, r.Name, err)
		}
		out = append(out, ci)
	}
	return out, nil
}

// Delete removes a credential; store.ErrNotFound when absent.
func (c *Credentials) Delete(ctx context.Context, acct Account, kind store.Kind, name string) error {
	if validName(name) != nil {
		return fmt.Errorf("delete %s: %w", kind, store.ErrNotFound)
	}
	return c.Store.WithTx(ctx, func(tx store.Tx) error {
		return tx.Delete(ctx, store.Key{Kind: kind, Scope: acct.Path, Name: name})
	})
}
