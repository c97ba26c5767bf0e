package keydelivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"

	"github.com/google/uuid"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/store"
)

// account is what key delivery needs of a media services account.
type account struct {
	// path is the account's ARM path, the Scope of its content keys and
	// policies.
	path string
	// deny is set when keyDelivery.accessControl.defaultAction is Deny;
	// only addresses in allow may then fetch keys.
	deny  bool
	allow []netip.Prefix
}

// account finds the account named by the path's mediaServiceId.
func (s *Server) account(ctx context.Context, msid string) (*account, error) {
	id, err := uuid.Parse(msid)
	if err != nil {
		return nil, errf(http.StatusNotFound, codeAccountNotFound, "No account has this media service id.", "media service id is not a GUID")
	}
	key := id.String() // canonical lower case, as accounts store it
	now := s.Now()
	if a, ok := s.accounts.Get(key, now); ok {
		return a, nil
	}
	r, err := s.Store.GetByID(ctx, store.KindAccount, key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errf(http.StatusNotFound, codeAccountNotFound, "No account has this media service id.", "unknown media service id")
	}
	if err != nil {
		return nil, fmt.Errorf("get account %s: %w", key, err)
	}
	a, err := newAccount(r)
	if err != nil {
		return nil, err
	}
	s.accounts.Put(key, a, now)
	return a, nil
}

func newAccount(r *store.Resource) (*account, error) {
	a := &account{path: store.Key{Kind: store.KindAccount, Scope: r.Scope, Name: r.Name}.Path()}
	var doc struct {
		KeyDelivery *defs.KeyDelivery `json:"keyDelivery"`
	}
	if err := json.Unmarshal(r.Doc, &doc); err != nil {
		return nil, fmt.Errorf("decode account %s: %w", r.Name, err)
	}
	if kd := doc.KeyDelivery; kd != nil && kd.AccessControl != nil && kd.AccessControl.DefaultAction == defs.DefaultActionDeny {
		a.deny = true
		for _, s := range kd.AccessControl.IPAllowList {
			p, err := parsePrefix(s)
			if err != nil {
				// The API validated the list; a stored entry that no
				// longer parses must not widen access, so it is dropped.
				continue
			}
			a.allow = append(a.allow, p)
		}
	}
	return a, nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	ip, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	ip = ip.Unmap()
	return netip.PrefixFrom(ip, ip.BitLen()), nil
}

// admits applies the account's key-delivery IP allow-list to the peer
// address. Forwarding headers are not trusted: anyone can set them.
func (a *account) admits(remoteAddr string) bool {
	if !a.deny {
		return true
	}
	ap, err := netip.ParseAddrPort(remoteAddr)
	if err != nil {
		return false
	}
	ip := ap.Addr().Unmap()
	for _, p := range a.allow {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
