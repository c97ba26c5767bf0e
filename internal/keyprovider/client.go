package keyprovider

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/cpix"
	"github.com/lockstream/lockstream/internal/drm"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/protect"
)

// Client requests content keys and DRM signalling from key providers.
type Client struct {
	// HTTP returns the HTTP client for one request: the node's outbound
	// guard's, presenting certs for mutual TLS (required).
	HTTP func(certs []tls.Certificate) *http.Client
	// UserAgent goes into X-Speke-User-Agent (default "Lockstream").
	UserAgent string
	Log       *slog.Logger
}

// Need is one content key to ask for: Lockstream chooses the kid, the
// provider the value. Scheme is the CPIX commonEncryptionScheme (cenc,
// cbcs; cbc1 for an AES-128 envelope key).
type Need struct {
	KID    keys.KID
	Scheme string
}

// Key is one key the provider returned, with its signalling (nil when no
// DRM system was asked for, e.g. an envelope key).
type Key struct {
	KID    keys.KID
	Value  keys.Key
	Signal *protect.VendorSignal
}

// Error is a failed key-provider exchange; its message names the
// provider and is meant for the API caller (no secrets, no key values).
type Error struct {
	Provider string
	// Timeout is set when the provider did not answer in time.
	Timeout bool
	Msg     string
	Err     error
}

func (e *Error) Error() string { return fmt.Sprintf("key provider '%s': %s", e.Provider, e.Msg) }
func (e *Error) Unwrap() error { return e.Err }

// systemsFor lists the DRM systems asked for a key of scheme: FairPlay
// only for cbcs, nothing for an envelope key (Lockstream's own key
// delivery serves AES-128 keys).
func systemsFor(p *Properties, scheme string) []drm.SystemID {
	names := p.DRMSystems
	if len(names) == 0 {
		names = []string{DRMWidevine, DRMPlayReady}
	}
	if scheme != "cenc" && scheme != "cbcs" {
		return nil
	}
	var out []drm.SystemID
	for _, n := range names {
		switch n {
		case DRMWidevine:
			out = append(out, drm.Widevine)
		case DRMPlayReady:
			out = append(out, drm.PlayReady)
		case DRMClearKey:
			out = append(out, drm.ClearKeyDASH)
		case DRMFairPlay:
			if scheme == "cbcs" {
				out = append(out, drm.FairPlay)
			}
		}
	}
	return out
}

// Fetch asks provider name (settings p) for the keys of contentID: one
// SPEKE v2 request per encryption scheme (SPEKE allows one per request).
// Every answer is checked completely before anything is returned: the
// kids asked for and no others, a value for each, the signalling of every
// system asked for. Failures are *Error.
func (c *Client) Fetch(ctx context.Context, name string, p *Properties, contentID string, needs []Need) ([]Key, error) {
	var order []string
	groups := map[string][]Need{}
	for _, n := range needs {
		if _, ok := groups[n.Scheme]; !ok {
			order = append(order, n.Scheme)
		}
		groups[n.Scheme] = append(groups[n.Scheme], n)
	}
	var out []Key
	for _, scheme := range order {
		ks, err := c.fetchScheme(ctx, name, p, contentID, groups[scheme])
		if err != nil {
			return nil, err
		}
		out = append(out, ks...)
	}
	byKID := map[keys.KID]Key{}
	for _, k := range out {
		byKID[k.KID] = k
	}
	sorted := make([]Key, len(needs))
	for i, n := range needs {
		sorted[i] = byKID[n.KID]
	}
	return sorted, nil
}

func (c *Client) fetchScheme(ctx context.Context, name string, p *Properties, contentID string, needs []Need) ([]Key, error) {
	fail := func(format string, args ...any) error {
		return &Error{Provider: name, Msg: fmt.Sprintf(format, args...)}
	}
	version := p.SpekeVersion
	if version == "" {
		version = "2.0"
	}
	d := &cpix.Document{ContentID: contentID, Version: map[string]string{"2.0": cpix.Version23, "2.1": cpix.Version24}[version]}
	systems := systemsFor(p, needs[0].Scheme)
	for _, n := range needs {
		d.ContentKeys = append(d.ContentKeys, cpix.ContentKey{KID: n.KID, CommonEncryptionScheme: n.Scheme})
		for _, id := range systems {
			s := cpix.DRMSystem{KID: n.KID, SystemID: id, HLSMedia: cpix.Field{Present: true}, HLSMaster: cpix.Field{Present: true}}
			if id != drm.FairPlay {
				s.PSSH, s.ContentProtectionData = cpix.Field{Present: true}, cpix.Field{Present: true}
			}
			if id == drm.PlayReady {
				empty := ""
				s.SmoothStreamingProtectionHeaderData = &empty
			}
			d.DRMSystems = append(d.DRMSystems, s)
		}
	}
	var cert []byte
	if p.RecipientCertificate != "" {
		der, _, err := p.Recipient()
		if err != nil {
			return nil, fail("recipient: %v", err)
		}
		cert = der
		d.DeliveryData = []cpix.DeliveryData{{ID: "lockstream", Certificate: der}}
	}
	body, err := d.Marshal()
	if err != nil {
		return nil, fmt.Errorf("write cpix request: %w", err)
	}
	raw, err := c.exchange(ctx, name, p, version, body)
	if err != nil {
		return nil, err
	}
	resp, err := cpix.Parse(raw)
	if err != nil {
		return nil, &Error{Provider: name, Msg: "answered a malformed CPIX document: " + err.Error(), Err: err}
	}
	if resp.ContentID != contentID {
		return nil, fail("answered for contentId '%s', not '%s'", resp.ContentID, contentID)
	}
	if cert != nil {
		if len(resp.DeliveryData) == 0 {
			return nil, fail("answered plain keys although encrypted delivery was requested")
		}
		for _, ck := range resp.ContentKeys {
			if ck.Value != nil && ck.Encrypted == nil {
				return nil, fail("answered key %s in the clear although encrypted delivery was requested", ck.KID)
			}
		}
		_, priv, err := p.Recipient()
		if err != nil {
			return nil, fail("recipient: %v", err)
		}
		if err := resp.DecryptKeys(priv); err != nil {
			return nil, &Error{Provider: name, Msg: "encrypted keys do not decrypt: " + err.Error(), Err: err}
		}
	}
	asked := map[keys.KID]bool{}
	for _, n := range needs {
		asked[n.KID] = true
	}
	for _, ck := range resp.ContentKeys {
		if !asked[ck.KID] {
			return nil, fail("answered key %s, which was not asked for", ck.KID)
		}
	}
	out := make([]Key, 0, len(needs))
	for _, n := range needs {
		ck := resp.Key(n.KID)
		switch {
		case ck == nil:
			return nil, fail("answered no key for kid %s", n.KID)
		case ck.Value == nil:
			return nil, fail("answered no value for kid %s", n.KID)
		case ck.CommonEncryptionScheme != "" && ck.CommonEncryptionScheme != n.Scheme:
			return nil, fail("answered kid %s for scheme %s, not %s", n.KID, ck.CommonEncryptionScheme, n.Scheme)
		}
		k := Key{KID: n.KID, Value: *ck.Value}
		if len(systems) > 0 {
			sig, err := signalOf(resp, n.KID, systems)
			if err != nil {
				return nil, &Error{Provider: name, Msg: err.Error(), Err: err}
			}
			sig.Provider = name
			k.Signal = sig
		}
		out = append(out, k)
	}
	return out, nil
}

// exchange POSTs one request, retrying network errors, timeouts, 429 and
// 5xx answers p.Retries times, and returns the 200 answer's body.
func (c *Client) exchange(ctx context.Context, name string, p *Properties, version string, body []byte) ([]byte, error) {
	timeout := p.Timeout.Std()
	if timeout <= 0 {
		timeout = DefaultTimeout.Std()
	}
	var certs []tls.Certificate
	if a := p.Authentication; a != nil && a.Type == AuthMutualTLS {
		cert, err := a.Certificate()
		if err != nil {
			return nil, &Error{Provider: name, Msg: err.Error()}
		}
		certs = []tls.Certificate{cert}
	}
	// Redirects are not followed: the request carries the provider's
	// credentials (an API-key header survives Go's cross-host redirect
	// rules), and a SPEKE endpoint answers where it is configured.
	hc := *c.HTTP(certs)
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	var last error
	for attempt := 0; attempt <= p.Retries; attempt++ {
		if attempt > 0 {
			// A short, growing pause; the caller's deadline bounds the
			// whole exchange.
			select {
			case <-ctx.Done():
				return nil, c.transportError(name, ctx.Err())
			case <-time.After(time.Duration(attempt) * 250 * time.Millisecond):
			}
		}
		b, retry, err := c.attempt(ctx, &hc, name, p, version, body, timeout)
		if err == nil {
			return b, nil
		}
		last = err
		if !retry {
			break
		}
		c.log().WarnContext(ctx, "key provider attempt failed", "provider", name, "attempt", attempt+1, "err", err)
	}
	return nil, last
}

func (c *Client) log() *slog.Logger {
	if c.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Log
}

func (c *Client) attempt(ctx context.Context, hc *http.Client, name string, p *Properties, version string, body []byte, timeout time.Duration) ([]byte, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL, bytes.NewReader(body))
	if err != nil {
		return nil, false, &Error{Provider: name, Msg: "bad URL", Err: err}
	}
	req.Header.Set("Content-Type", "application/xml")
	req.Header.Set("X-Speke-Version", version)
	ua := c.UserAgent
	if ua == "" {
		ua = "Lockstream"
	}
	req.Header.Set("X-Speke-User-Agent", ua)
	if a := p.Authentication; a != nil {
		switch a.Type {
		case AuthBearer:
			req.Header.Set("Authorization", "Bearer "+a.Token)
		case AuthAPIKey:
			req.Header.Set(a.HeaderName, a.HeaderValue)
		}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, true, c.transportError(name, err)
	}
	defer resp.Body.Close()
	raw, err := cpix.ReadLimited(resp.Body)
	if err != nil {
		if errors.Is(err, cpix.ErrTooLarge) {
			return nil, false, &Error{Provider: name, Msg: "answered a document larger than the CPIX limit", Err: err}
		}
		return nil, true, c.transportError(name, err)
	}
	if resp.StatusCode != http.StatusOK {
		retry := resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests
		return nil, retry, &Error{Provider: name, Msg: fmt.Sprintf("answered HTTP %d: %s", resp.StatusCode, firstLine(raw))}
	}
	return raw, false, nil
}

func (c *Client) transportError(name string, err error) error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return &Error{Provider: name, Timeout: true, Msg: "did not answer in time", Err: err}
	}
	// The guard's refusals and dial errors say where and why without
	// secrets; the request carries none in its URL (credentials in URLs
	// are refused by Validate).
	return &Error{Provider: name, Msg: "is unreachable: " + err.Error(), Err: err}
}

// firstLine is the start of an error answer, for the message: SPEKE
// servers answer a one-line text reason.
func firstLine(b []byte) string {
	s := string(b)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		return "(no reason given)"
	}
	return s
}
