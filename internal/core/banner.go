package core

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/lockstream/lockstream/internal/player"
	"github.com/lockstream/lockstream/internal/sts"
)

// PrintBanner writes the URLs to use. It goes to the operator's terminal
// (stdout), never to the log: it may carry the demo viewer's password,
// which is shown exactly once, when it is generated.
func (c *Core) PrintBanner(w io.Writer) {
	fmt.Fprintln(w, "Lockstream is running.")
	if a := c.Addr("api"); a != "" {
		fmt.Fprintf(w, "  Management API (AMS v3 ARM paths): %s\n", c.apiURL)
		fmt.Fprintf(w, "  Health:                            %s/healthz  %s/readyz\n", c.apiURL, c.apiURL)
	}
	if a := c.Addr("origin"); a != "" {
		fmt.Fprintf(w, "  Streaming origin (HLS, DASH, Smooth): %s://%s\n", c.originScheme(), c.Conf.Origin.HostName)
	}
	if c.blobURL != "" {
		fmt.Fprintf(w, "  Blob endpoint (signed container URLs, Azure layout): %s/<container>?<sas>\n", c.blobURL)
	}
	if c.identity != nil {
		fmt.Fprintf(w, "  Token endpoint:                    %s/%s/oauth2/v2.0/token  scope=%s/.default\n", c.apiURL, c.Conf.Identity.TenantID, c.Conf.Identity.Audience)
	}
	if c.api != nil {
		fmt.Fprintf(w, "  Player:                            %s%s\n", c.apiURL, player.Prefix)
	}
	if c.Conf.TLS.SelfSigned {
		fmt.Fprintf(w, "  Development CA certificate:         %s\n", filepath.Join(c.Conf.DataDir, "tls", "cert.pem"))
	}
	c.printBootstrap(w)
	if c.demo == nil {
		return
	}
	fmt.Fprintf(w, "  Demo account:                      %s%s\n", c.apiURL, c.demo.account)
	for _, l := range []struct{ name, label string }{
		{demoClearLocator, "clear, no encryption"},
		{demoOpenLocator, "OPEN: encrypted (AES-128 / Clear Key), but its keys go to anyone, no token"},
		{demoTokenLocator, "PROTECTED: encrypted, keys only with a playback token whose groups claim holds " + demoViewersGroup},
	} {
		paths, ok := c.demo.paths[l.name]
		if !ok {
			continue
		}
		fmt.Fprintf(w, "  Demo locator %s (%s):\n", l.name, l.label)
		for _, p := range paths {
			fmt.Fprintf(w, "    %s://%s%s\n", c.originScheme(), c.Conf.Origin.HostName, p)
		}
	}
	if !c.demo.protected {
		fmt.Fprintln(w, "  (no token-protected demo: the playback token service is disabled)")
		return
	}
	tokenURL := c.sts.Issuer() + "/token"
	fmt.Fprintf(w, "  Playback token for %s (STS user %s; paste it into the player):\n", demoTokenLocator, demoViewer)
	if c.demo.viewerSecret != "" {
		fmt.Fprintf(w, "    curl -s %s -d grant_type=%s -d username=%s -d password=%s\n", tokenURL, sts.GrantPassword, demoViewer, c.demo.viewerSecret)
		fmt.Fprintln(w, "    (the password is shown this once; it is stored only as a hash)")
	} else {
		fmt.Fprintf(w, "    curl -s %s -d grant_type=%s -d username=%s -d password=<password printed when it was created>\n", tokenURL, sts.GrantPassword, demoViewer)
		fmt.Fprintf(w, "    (forgot it? lockstream user secret reset %s, with this node's --data-dir/--store-* settings)\n", demoViewer)
	}
}

func (c *Core) originScheme() string {
	if c.tlsCfg != nil && c.Conf.TLS.Origin {
		return "https"
	}
	return "http"
}

// printBootstrap names the bootstrap Owner principal, with its secret when
// this start generated it (shown this once).
func (c *Core) printBootstrap(w io.Writer) {
	switch {
	case c.Conf.Bootstrap.ClientID != "":
		fmt.Fprintf(w, "  Bootstrap principal:               %s (secret from LOCKSTREAM_BOOTSTRAP_CLIENT_SECRET)\n", c.Conf.Bootstrap.ClientID)
	case c.admin != nil:
		fmt.Fprintf(w, "  Bootstrap principal (generated):   client_id=%s client_secret=%s\n", c.admin.clientID, c.admin.secret)
		fmt.Fprintln(w, "    (an Owner on every account; the secret is shown this once and stored only as a hash —")
		fmt.Fprintln(w, "     more secrets: lockstream sp secret add <client_id>; or set LOCKSTREAM_BOOTSTRAP_CLIENT_ID/_SECRET)")
	case c.identity != nil:
		fmt.Fprintln(w, "  Bootstrap principal:               none configured (principals exist: lockstream sp list)")
	}
}
