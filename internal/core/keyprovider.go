package core

import (
	"context"
	"crypto/tls"
	"net/http"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/cpix"
	"github.com/lockstream/lockstream/internal/keyprovider"
	"github.com/lockstream/lockstream/internal/netguard"
)

// keyProviderClient is the client locator creation asks key providers
// with. Every call goes through an outbound guard built from the
// operator's outbound settings (allow-list, private-address switch, CA
// bundle): a provider on an internal network is admitted exactly as an
// operator admits any other internal destination. A provider using mutual
// TLS gets a guard of its own presenting its client certificate.
func (c *Core) keyProviderClient() *keyprovider.Client {
	o, err := c.outboundOptions()
	if err != nil {
		// buildOutbound already succeeded with the same settings.
		c.Log.Error("key provider outbound settings", "err", err)
	}
	// The provider's own timeout (keyprovider.Properties.Timeout) bounds
	// each attempt; the guard's is only the ceiling.
	o.Timeout = keyprovider.MaxTimeout.Std()
	o.MaxBody = cpix.MaxDocumentSize + 1
	plain := netguard.New(o).Client()
	return &keyprovider.Client{
		Log: c.Log.With("component", "keyprovider"),
		HTTP: func(certs []tls.Certificate) *http.Client {
			if len(certs) == 0 {
				return plain
			}
			oc := o
			oc.Certificates = certs
			return netguard.New(oc).Client()
		},
	}
}

// OpenKeyProviders opens the configured store and key ring for offline
// administration of key providers (the key-provider commands). Call the
// returned close function when done.
func OpenKeyProviders(ctx context.Context, c conf.Conf) (*keyprovider.Admin, func() error, error) {
	ring, err := openKeyring(&c)
	if err != nil {
		return nil, nil, err
	}
	st, err := openStore(ctx, &c)
	if err != nil {
		return nil, nil, err
	}
	return &keyprovider.Admin{Store: st, Sealer: ring}, st.Close, nil
}
