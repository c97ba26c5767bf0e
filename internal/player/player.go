package player

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"github.com/lockstream/lockstream/internal/keydelivery"
	"github.com/lockstream/lockstream/internal/sts"
)

// Prefix is where the page lives on the API listener.
const Prefix = "/player"

// ShakaVersion is the version of the embedded Shaka Player.
const ShakaVersion = "5.2.12"

// Config configures New.
type Config struct {
	// STSPrefix is the path of the security token service on the same
	// listener; default sts.DefaultPrefix. The page probes its discovery
	// document and offers the token form only when it answers, so a node
	// without the service still serves a page where tokens are pasted.
	STSPrefix string
	// OriginTLS tells whether the streaming origin listener serves https:
	// the page builds a picked locator's URLs as scheme://{streaming
	// endpoint hostName}{path}. A proxy in front may change it; the URL
	// box stays editable.
	OriginTLS bool
	// APIVersion is the management api-version the page uses to list
	// locators; default "2023-01-01".
	APIVersion string
	// Log receives failures. Nil discards.
	Log *slog.Logger
}

// Handler serves the page and its assets. It is safe for concurrent use.
type Handler struct {
	cfg    Config
	page   *asset
	assets map[string]*asset // by name below Prefix+"/"
}

// New returns the page's handler.
func New(cfg Config) *Handler {
	if cfg.STSPrefix == "" {
		cfg.STSPrefix = sts.DefaultPrefix
	}
	if cfg.APIVersion == "" {
		cfg.APIVersion = "2023-01-01"
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{cfg: cfg, page: mustStatic("index.html"), assets: map[string]*asset{}}
	for _, name := range staticAssets {
		h.assets[name] = mustStatic(name)
	}
	h.assets["config.json"] = newAsset(h.pageConfig(), "application/json")
	return h
}

// Register mounts the handler on mux at Prefix and below.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle(Prefix, h)
	mux.Handle(Prefix+"/", h)
}

// pageConfig is config.json: what the page cannot know by itself. Paths
// are relative to the page (served at Prefix, so "sts/token" resolves to
// /sts/token), which keeps the page working behind a reverse proxy that
// adds a path prefix.
func (h *Handler) pageConfig() []byte {
	rel := func(p string) string { return strings.TrimPrefix(p, "/") }
	scheme := "http:"
	if h.cfg.OriginTLS {
		scheme = "https:"
	}
	b, err := json.Marshal(map[string]string{
		"originScheme": scheme,
		"sts":          rel(h.cfg.STSPrefix),
		"keyDelivery":  rel(keydelivery.Prefix),
		"apiVersion":   h.cfg.APIVersion,
		"shakaVersion": ShakaVersion,
	})
	if err != nil {
		// Marshalling a map of strings cannot fail.
		panic("player: page config: " + err.Error())
	}
	return b
}

// ServeHTTP answers GET and HEAD for the page and its assets.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	var a *asset
	switch r.URL.Path {
	case Prefix:
		a = h.page
	case Prefix + "/":
		// The page's links are relative to it sitting at Prefix itself.
		http.Redirect(w, r, Prefix, http.StatusMovedPermanently)
		return
	default:
		a = h.assets[strings.TrimPrefix(r.URL.Path, Prefix+"/")]
	}
	if a == nil {
		http.NotFound(w, r)
		return
	}
	a.serve(w, r, h.cfg.Log)
}
