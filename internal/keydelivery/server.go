package keydelivery

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/policy"
	"github.com/lockstream/lockstream/internal/store"
	"github.com/lockstream/lockstream/internal/ttlcache"
)

// Defaults of Server.
const (
	// DefaultMaxBodyBytes bounds request bodies. License challenges
	// (PlayReady SOAP, Widevine protobuf, FairPlay SPC) are a few KiB and
	// Clear Key requests at most clearkey.MaxRequestSize.
	DefaultMaxBodyBytes = 64 << 10
	// DefaultCacheTTL is how long an account or content key policy read
	// is reused: a changed policy or allow-list takes effect within it,
	// as changes reach the origin within its own 5 s.
	DefaultCacheTTL = 5 * time.Second
	// maxCacheEntries bounds each cache; a full cache is emptied.
	maxCacheEntries = 10_000
)

// Server is the key-delivery handler, mounted at Prefix+"/" on the API
// listener. Set the exported fields, call Initialize once, then serve.
// It is safe for concurrent use.
type Server struct {
	// Store holds accounts, content key policies and the sealed content
	// keys.
	Store storeReader
	// Sealer opens content keys and the secrets of content key policies.
	Sealer keys.Sealer
	// Policy evaluates content key policies. Its UseCounter must be shared
	// by every node serving keys, or max-uses limits hold per node only.
	Policy *policy.Evaluator
	// Log receives refusals (with their internal reason, never a key or a
	// token) and failures. Nil discards.
	Log *slog.Logger
	// MaxBodyBytes bounds request bodies; default DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// CacheTTL is how long account, policy and content key reads are
	// reused; default DefaultCacheTTL. Invalidate drops them sooner: wire
	// it to the node's invalidation bus, so that a deleted locator stops
	// its keys on every node at once.
	CacheTTL time.Duration
	// Licenser issues Widevine, PlayReady and FairPlay licenses for
	// requests that passed the token check; nil answers 501 for them.
	Licenser Licenser
	// Now is the clock of the caches and of policy evaluation; default
	// time.Now.
	Now func() time.Time
	// ObserveVerify, when set, receives the duration of each content key
	// policy evaluation (token verification, claims, max uses) and
	// whether it granted: the node's metrics.
	ObserveVerify func(d time.Duration, granted bool)
	// Trace, when set, opens a tracing span (policy evaluation) and
	// returns its end; nil costs nothing.
	Trace func(ctx context.Context, name string) (context.Context, func())

	// accounts and policies keep found values for CacheTTL, so that a
	// player's burst of key requests does not read and unseal the same
	// rows again and again (misses are not kept: random ids would fill
	// the cache).
	accounts *ttlcache.Cache[string, *account]
	policies *ttlcache.Cache[policyKey, *defs.ContentKeyPolicyProperties]
	// byKID keeps the content keys of a key id (contentkeys.go).
	byKID *ttlcache.Cache[keys.KID, []store.ContentKey]
}

// Initialize checks the configuration and fills in defaults.
func (s *Server) Initialize() error {
	switch {
	case s.Store == nil:
		return errors.New("keydelivery: Store is required")
	case s.Sealer == nil:
		return errors.New("keydelivery: Sealer is required")
	case s.Policy == nil:
		return errors.New("keydelivery: Policy is required")
	case s.MaxBodyBytes < 0 || s.CacheTTL < 0:
		return errors.New("keydelivery: negative limit")
	}
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	if s.MaxBodyBytes == 0 {
		s.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if s.CacheTTL == 0 {
		s.CacheTTL = DefaultCacheTTL
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	s.accounts = ttlcache.New[string, *account](s.CacheTTL, maxCacheEntries)
	s.policies = ttlcache.New[policyKey, *defs.ContentKeyPolicyProperties](s.CacheTTL, maxCacheEntries)
	s.byKID = ttlcache.New[keys.KID, []store.ContentKey](s.CacheTTL, maxCacheEntries)
	return nil
}

// endpoint is one of the services of an account's tree.
type endpoint int

const (
	epAES endpoint = iota
	epClearKey
	epPlayReady
	epWidevine
	epFairPlay
	epFairPlayCert
)

// ServeHTTP routes {Prefix}/{mediaServiceId}/[License/] to its endpoint.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setCommonHeaders(w.Header())
	if r.Method == http.MethodOptions {
		// Preflights carry no token and are answered without a store
		// read, so that they cost nothing.
		preflight(w)
		return
	}
	msid, ep, ok := route(r.URL.Path)
	rq := &request{s: s, w: w, r: r, ctx: r.Context(), msid: msid}
	if !ok {
		rq.fail(errf(http.StatusNotFound, codeNotFound, "No key delivery endpoint at this path.", "path not routed"))
		return
	}
	if r.Body != nil && r.Body != http.NoBody { // a GET's NoBody has nothing to bound
		r.Body = http.MaxBytesReader(w, r.Body, s.MaxBodyBytes)
	}
	var err error
	switch ep {
	case epAES:
		err = rq.serveAES()
	case epClearKey:
		err = rq.serveClearKey()
	case epPlayReady:
		err = rq.serveLicense(policy.KindPlayReady)
	case epWidevine:
		err = rq.serveLicense(policy.KindWidevine)
	case epFairPlay:
		err = rq.serveLicense(policy.KindFairPlay)
	case epFairPlayCert:
		err = rq.serveFairPlayCertificate()
	}
	if err != nil {
		rq.fail(err)
	}
}

// route splits "{Prefix}/{msid}/[License/]" (license names compared
// case-insensitively, the trailing slash optional, as AMS clients
// spelled them inconsistently).
func route(p string) (msid string, ep endpoint, ok bool) {
	rest, found := strings.CutPrefix(p, Prefix+"/")
	if !found {
		return "", 0, false
	}
	msid, sub, _ := strings.Cut(rest, "/")
	if msid == "" {
		return "", 0, false
	}
	switch strings.ToLower(strings.TrimSuffix(sub, "/")) {
	case "":
		return msid, epAES, true
	case strings.ToLower(strings.TrimSuffix(PathClearKey, "/")):
		return msid, epClearKey, true
	case strings.ToLower(strings.TrimSuffix(PathPlayReady, "/")):
		return msid, epPlayReady, true
	case strings.ToLower(strings.TrimSuffix(PathWidevine, "/")):
		return msid, epWidevine, true
	case strings.ToLower(strings.TrimSuffix(PathFairPlay, "/")):
		return msid, epFairPlay, true
	case strings.ToLower(PathFairPlay + "certificate"):
		return msid, epFairPlayCert, true
	}
	return "", 0, false
}

// storeReader is what key delivery reads from the metadata store: the
// account by mediaServiceId, content keys by KID and content key
// policies. store.Reader satisfies it.
type storeReader interface {
	Get(ctx context.Context, k store.Key) (*store.Resource, error)
	GetByID(ctx context.Context, kind store.Kind, id string) (*store.Resource, error)
	ContentKeysByKID(ctx context.Context, kid string) ([]store.ContentKey, error)
}

var _ storeReader = store.Reader(nil)
