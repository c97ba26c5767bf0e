package core

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/keyexchange"
	"github.com/lockstream/lockstream/internal/speke"
	"github.com/lockstream/lockstream/internal/store"
	"github.com/lockstream/lockstream/internal/wvkeyserver"
)

// registerKeyExchange adds the key-exchange endpoints to the API
// listener: SPEKE v2 (/speke/v2/{msid}), the Widevine key-server API and
// credential management (/keyexchange/{msid}/…).
func (c *Core) registerKeyExchange(mux *http.ServeMux, apiURL string) error {
	log := c.Log.With("component", "keyexchange")
	creds := &keyexchange.Credentials{Store: c.store, Sealer: c.keyring}
	(&keyexchange.Handler{Store: c.store, Auth: c.verifier, Creds: creds, Log: log}).Register(mux)
	sp := &speke.Server{Store: c.store, Sealer: c.keyring, Auth: c.verifier, Creds: creds,
		KeyDeliveryBase: apiURL, UserAgent: "Lockstream", Log: log}
	if err := sp.Initialize(); err != nil {
		return fmt.Errorf("speke: %w", err)
	}
	sp.Register(mux)
	wv := &wvkeyserver.Server{Store: c.store, Sealer: c.keyring, Creds: creds, Log: log}
	if err := wv.Initialize(); err != nil {
		return fmt.Errorf("widevine key server: %w", err)
	}
	wv.Register(mux)
	return nil
}

// ExportLocatorKeys writes the content keys of a streaming locator as a
// CPIX document (the `keys export --cpix` command): accountPath is the
// account's ARM path, recipientDER an optional certificate to encrypt the
// keys to.
func ExportLocatorKeys(ctx context.Context, c conf.Conf, accountPath, locator, version string, recipientDER []byte) ([]byte, error) {
	ring, err := openKeyring(&c)
	if err != nil {
		return nil, err
	}
	st, err := openStore(ctx, &c)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	id, ks, err := keyexchange.LocatorKeys(ctx, st, ring, strings.ToLower(strings.TrimSuffix(accountPath, "/")), locator)
	if err != nil {
		return nil, err
	}
	return keyexchange.ExportCPIX(id, version, ks, recipientDER, nil)
}

// OpenKeyExchange opens the configured store and key ring for offline
// management of key-exchange credentials (the `keyexchange` command).
// accountPath is the account's ARM path. Call the returned close function
// when done.
func OpenKeyExchange(ctx context.Context, c conf.Conf, accountPath string) (*keyexchange.Credentials, keyexchange.Account, func() error, error) {
	ring, err := openKeyring(&c)
	if err != nil {
		return nil, keyexchange.Account{}, nil, err
	}
	st, err := openStore(ctx, &c)
	if err != nil {
		return nil, keyexchange.Account{}, nil, err
	}
	path := strings.ToLower(strings.TrimSuffix(accountPath, "/"))
	const sep = "/providers/microsoft.media/mediaservices/"
	i := strings.LastIndex(path, sep)
	if i <= 0 {
		_ = st.Close()
		return nil, keyexchange.Account{}, nil, fmt.Errorf("account %q is not an ARM path …%s<name>", accountPath, sep)
	}
	res, err := st.Get(ctx, store.Key{Kind: store.KindAccount, Scope: path[:i], Name: path[i+len(sep):]})
	if err != nil {
		_ = st.Close()
		return nil, keyexchange.Account{}, nil, fmt.Errorf("account %s: %w", accountPath, err)
	}
	acct := keyexchange.Account{ID: res.ID, Path: store.Key{Kind: store.KindAccount, Scope: res.Scope, Name: res.Name}.Path()}
	return &keyexchange.Credentials{Store: st, Sealer: ring}, acct, st.Close, nil
}
