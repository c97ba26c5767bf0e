package identity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/store"
)

// Principal is a service principal (an application identity) as the API
// shows it. It never holds a secret or a secret hash.
type Principal struct {
	ClientID     string            `json:"appId"`
	ObjectID     string            `json:"objectId"`
	DisplayName  string            `json:"displayName"`
	Bootstrap    bool              `json:"bootstrap,omitempty"`
	Secrets      []SecretInfo      `json:"passwordCredentials"`
	Certificates []CertificateInfo `json:"keyCredentials"`
	Created      time.Time         `json:"-"`
}

// SecretInfo describes one client secret; the value itself is shown once,
// by AddSecret.
type SecretInfo struct {
	KeyID       string    `json:"keyId"`
	DisplayName string    `json:"displayName,omitempty"`
	Hint        string    `json:"hint"` // first characters, as Azure shows them
	Start       time.Time `json:"startDateTime"`
	End         time.Time `json:"endDateTime,omitzero"` // zero: never expires
}

// CertificateInfo describes one registered certificate credential.
type CertificateInfo struct {
	KeyID string `json:"keyId"`
	// Thumbprint is the hex SHA-1 of the DER (Azure's customKeyIdentifier);
	// ThumbprintSHA256 the hex SHA-256.
	Thumbprint       string    `json:"thumbprint"`
	ThumbprintSHA256 string    `json:"thumbprintSha256"`
	Subject          string    `json:"subject"`
	Start            time.Time `json:"startDateTime"`
	End              time.Time `json:"endDateTime"`
	DER              []byte    `json:"der"` // the certificate, public
}

// credentials is the sealed part of a principal record: secret hashes.
// Sealing them too means a store dump reveals not even the hashes.
type credentials struct {
	Secrets []secretHash `json:"secrets"`
}

type secretHash struct {
	KeyID string `json:"keyId"`
	// Tag is the prefix generated secrets carry ("<tag>~…") so that a
	// presented secret selects exactly one hash to check; empty for the
	// bootstrap secret, whose value the operator chose.
	Tag  string `json:"tag,omitempty"`
	Hash string `json:"hash"`
}

// principalRecord is a loaded principal with its store row.
type principalRecord struct {
	res   *store.Resource
	p     Principal
	creds credentials
}

// validClientID accepts what Azure app ids and the bootstrap config use:
// 1 to 128 letters, digits, '.', '-', '_'.
func validClientID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func (s *Service) principalKey(clientID string) store.Key {
	return s.key(KindServicePrincipal, clientID)
}

// aad binds a sealed blob to its row.
func aad(k store.Key) []byte { return []byte(store.ResourceAAD(k.Kind, k.Scope, k.Name)) }

// loadPrincipal reads a principal with r (the store or a transaction),
// including its sealed credentials. Errors wrap store.ErrNotFound when
// absent.
func (s *Service) loadPrincipal(ctx context.Context, r store.Reader, clientID string) (*principalRecord, error) {
	return s.readPrincipal(ctx, r, clientID, true)
}

// readPrincipal is loadPrincipal; withCreds false skips unsealing, for
// the per-request lookup that only needs the public part.
func (s *Service) readPrincipal(ctx context.Context, r store.Reader, clientID string, withCreds bool) (*principalRecord, error) {
	if !validClientID(clientID) {
		return nil, fmt.Errorf("identity: principal %.64q: %w", clientID, store.ErrNotFound)
	}
	res, err := r.Get(ctx, s.principalKey(clientID))
	if err != nil {
		return nil, fmt.Errorf("identity: get principal: %w", err)
	}
	return s.decodePrincipal(res, withCreds)
}

func (s *Service) decodePrincipal(res *store.Resource, withCreds bool) (*principalRecord, error) {
	pr := &principalRecord{res: res}
	if err := json.Unmarshal(res.Doc, &pr.p); err != nil {
		return nil, fmt.Errorf("identity: decode principal %s: %w", res.Name, err)
	}
	pr.p.Created = res.Created
	if withCreds && len(res.Secret) > 0 {
		pt, err := s.cfg.Sealer.Open(res.Secret, aad(res.Key()))
		if err != nil {
			return nil, fmt.Errorf("identity: open credentials of %s: %w", res.Name, err)
		}
		err = json.Unmarshal(pt, &pr.creds)
		clear(pt)
		if err != nil {
			return nil, fmt.Errorf("identity: decode credentials of %s: %w", res.Name, err)
		}
	}
	return pr, nil
}

// encode writes pr.p and pr.creds back into pr.res.
func (s *Service) encode(pr *principalRecord) error {
	doc, err := json.Marshal(pr.p)
	if err != nil {
		return fmt.Errorf("identity: encode principal: %w", err)
	}
	pt, err := json.Marshal(pr.creds)
	if err != nil {
		return fmt.Errorf("identity: encode credentials: %w", err)
	}
	sealed, err := s.cfg.Sealer.Seal(pt, aad(pr.res.Key()))
	clear(pt)
	if err != nil {
		return fmt.Errorf("identity: seal credentials: %w", err)
	}
	pr.res.Doc, pr.res.Secret, pr.res.Modified = doc, sealed, s.now()
	return nil
}

// updatePrincipal loads a principal in a transaction, applies fn and
// writes it back.
func (s *Service) updatePrincipal(ctx context.Context, clientID string, fn func(*principalRecord) error) (*principalRecord, error) {
	var out *principalRecord
	err := s.cfg.Store.WithTx(ctx, func(tx store.Tx) error {
		pr, err := s.loadPrincipal(ctx, tx, clientID)
		if err != nil {
			return err
		}
		if err := fn(pr); err != nil {
			return err
		}
		if err := s.encode(pr); err != nil {
			return err
		}
		out = pr
		return tx.Replace(ctx, pr.res, nil)
	})
	return out, err
}

// CreatePrincipalOptions are the settable fields of a new principal.
type CreatePrincipalOptions struct {
	DisplayName string
}

// CreatePrincipal creates a service principal with a new random client id
// and object id and no credentials or roles.
func (s *Service) CreatePrincipal(ctx context.Context, opts CreatePrincipalOptions) (Principal, error) {
	name := strings.TrimSpace(opts.DisplayName)
	if len(name) > 256 || !store.ValidText(name) {
		return Principal{}, fmt.Errorf("%w: display name must be at most 256 characters of text", ErrInvalid)
	}
	clientID, err := s.newUUID()
	if err != nil {
		return Principal{}, err
	}
	pr, err := s.createPrincipal(ctx, clientID, name, false)
	s.auditMgmt(ctx, "servicePrincipals/write", clientID, err)
	if err != nil {
		return Principal{}, err
	}
	return pr.p, nil
}

// createPrincipal writes a new principal record; ErrConflict when the
// client id is taken.
func (s *Service) createPrincipal(ctx context.Context, clientID, displayName string, bootstrap bool) (*principalRecord, error) {
	objectID, err := s.newUUID()
	if err != nil {
		return nil, err
	}
	now := s.now()
	pr := &principalRecord{
		res: &store.Resource{Kind: KindServicePrincipal, Scope: s.cfg.Scope, Name: clientID, ID: objectID, Created: now},
		p: Principal{ClientID: clientID, ObjectID: objectID, DisplayName: displayName, Bootstrap: bootstrap,
			Secrets: []SecretInfo{}, Certificates: []CertificateInfo{}, Created: now},
	}
	if err := s.encode(pr); err != nil {
		return nil, err
	}
	err = s.cfg.Store.WithTx(ctx, func(tx store.Tx) error { return tx.Create(ctx, pr.res, nil) })
	if err != nil {
		return nil, fmt.Errorf("identity: create principal %s: %w", clientID, err)
	}
	return pr, nil
}

// GetPrincipal returns one principal; errors wrap store.ErrNotFound when
// it does not exist.
func (s *Service) GetPrincipal(ctx context.Context, clientID string) (Principal, error) {
	pr, err := s.readPrincipal(ctx, s.cfg.Store, clientID, false)
	if err != nil {
		return Principal{}, err
	}
	return pr.p, nil
}

// ListPrincipals returns up to limit principals (default and maximum 1000)
// ordered by client id, starting after the client id after (""
// for the first page). next is the cursor for the following page, "" on
// the last one.
func (s *Service) ListPrincipals(ctx context.Context, after string, limit int) (ps []Principal, next string, err error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	q := store.ListQuery{Kind: KindServicePrincipal, Scope: s.cfg.Scope, Limit: limit + 1}
	if after != "" {
		q.After = &store.Cursor{Value: store.NameKey(after), NameKey: store.NameKey(after)}
	}
	rs, err := s.cfg.Store.List(ctx, q)
	if err != nil {
		return nil, "", fmt.Errorf("identity: list principals: %w", err)
	}
	if len(rs) > limit {
		rs = rs[:limit]
		next = rs[limit-1].Name
	}
	for _, r := range rs {
		var p Principal
		if err := json.Unmarshal(r.Doc, &p); err != nil {
			return nil, "", fmt.Errorf("identity: decode principal %s: %w", r.Name, err)
		}
		p.Created = r.Created
		ps = append(ps, p)
	}
	return ps, next, nil
}

// DeletePrincipal deletes a principal with its credentials and role
// assignments. Its tokens stop verifying at once: auth.JWT looks the
// principal up on every request.
func (s *Service) DeletePrincipal(ctx context.Context, clientID string) error {
	err := s.cfg.Store.WithTx(ctx, func(tx store.Tx) error {
		return tx.Delete(ctx, s.principalKey(clientID))
	})
	if err != nil {
		err = fmt.Errorf("identity: delete principal %.64q: %w", clientID, err)
	}
	s.auditMgmt(ctx, "servicePrincipals/delete", clientID, err)
	return err
}

// LookupPrincipal implements auth.Directory: the principal with its
// current role assignments.
func (s *Service) LookupPrincipal(ctx context.Context, clientID string) (auth.Principal, error) {
	pr, err := s.readPrincipal(ctx, s.cfg.Store, clientID, false)
	if errors.Is(err, store.ErrNotFound) {
		return auth.Principal{}, fmt.Errorf("identity: %w: %w", auth.ErrPrincipalNotFound, err)
	}
	if err != nil {
		return auth.Principal{}, err
	}
	ras, err := s.listRoles(ctx, pr.p.ClientID)
	if err != nil {
		return auth.Principal{}, err
	}
	p := auth.Principal{ID: pr.p.ClientID, Type: "Application", ObjectID: pr.p.ObjectID}
	for _, ra := range ras {
		p.Roles = append(p.Roles, auth.RoleAssignment{Role: ra.Role, Scope: ra.Scope})
	}
	return p, nil
}
