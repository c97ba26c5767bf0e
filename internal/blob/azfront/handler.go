package azfront

import (
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"

	"github.com/lockstream/lockstream/internal/blob"
)

// Options bounds what clients may send and says where the handler is
// mounted. Zero values take defaults that mirror Azure's own limits, so
// SDK defaults keep working.
type Options struct {
	// MaxPutBlobBytes caps one Put Blob (default 5000 MiB, Azure's limit;
	// the SDK uses one Put Blob for uploads up to 256 MiB).
	MaxPutBlobBytes int64
	// MaxBlockBytes caps one Put Block (default 4000 MiB).
	MaxBlockBytes int64
	// MaxBlobBytes caps a blob assembled by Put Block List and the bytes
	// a blob may have staged (default 1 TiB); see Limits.
	MaxBlobBytes int64
	// MaxUncommittedBlocks caps staged blocks per blob (default 100000);
	// see Limits.
	MaxUncommittedBlocks int
	// MaxBlockListBlocks caps entries of one Put Block List (default
	// 50000).
	MaxBlockListBlocks int
	// PathPrefix is where the handler is mounted, starting and ending
	// with '/' (default "/": the container is the first path segment, as
	// on Azure). A server may mount a second handler elsewhere (the API
	// listener keeps "/blob/" for URLs minted before the blob endpoint
	// had a listener of its own); the signature covers the container,
	// not the prefix, so both verify the same URLs.
	PathPrefix string
	// Logger receives internal errors; nil discards them.
	Logger *slog.Logger
}

const (
	mib = 1 << 20
	// A <Latest> entry with an 88-character id is ~105 bytes; this leaves
	// room for MaxBlockListBlocks of them plus whitespace.
	maxListBodyPerBlock = 256
)

func (o Options) withDefaults() Options {
	if o.MaxPutBlobBytes <= 0 {
		o.MaxPutBlobBytes = 5000 * mib
	}
	if o.MaxBlockBytes <= 0 {
		o.MaxBlockBytes = 4000 * mib
	}
	if o.MaxBlobBytes <= 0 {
		o.MaxBlobBytes = 1 << 40
	}
	if o.MaxUncommittedBlocks <= 0 {
		o.MaxUncommittedBlocks = 100000
	}
	if o.MaxBlockListBlocks <= 0 {
		o.MaxBlockListBlocks = 50000
	}
	if !strings.HasPrefix(o.PathPrefix, "/") {
		o.PathPrefix = "/" + o.PathPrefix
	}
	if !strings.HasSuffix(o.PathPrefix, "/") {
		o.PathPrefix += "/"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// handler serves the Azure Blob REST subset over a Backend.
type handler struct {
	be   Backend
	sig  *Signer
	opts Options
}

// NewHandler returns the endpoint for URLs minted by sig, serving be,
// mounted at opts.PathPrefix. A nil sig refuses every request (signed
// access disabled).
func NewHandler(be Backend, sig *Signer, opts Options) http.Handler {
	return &handler{be: be, sig: sig, opts: opts.withDefaults()}
}

// limits are the bounds the backend enforces on staging and commits.
func (h *handler) limits() Limits {
	return Limits{MaxBlobBytes: h.opts.MaxBlobBytes, MaxUncommittedBlocks: h.opts.MaxUncommittedBlocks}
}

// route is one supported operation.
type route struct {
	name  string
	perms string // any one of these SAS letters allows it
	blob  bool
	serve func(h *handler, w http.ResponseWriter, r *http.Request, req *request)
}

type request struct {
	container, name string
	query           url.Values
}

func pickRoute(method string, q url.Values, isBlob bool) (route, *azError) {
	comp := q.Get("comp")
	if !isBlob {
		if q.Get("restype") != "container" {
			return route{}, newAzError(http.StatusBadRequest, "InvalidQueryParameterValue", "Only container operations (restype=container) are supported on a container URL.")
		}
		switch {
		case comp == "list" && method == http.MethodGet:
			return route{name: "ListBlobs", perms: "l", serve: (*handler).listBlobs}, nil
		case comp == "" && (method == http.MethodGet || method == http.MethodHead):
			return route{name: "GetContainerProperties", perms: "rl", serve: (*handler).containerProperties}, nil
		}
		return route{}, newAzError(http.StatusMethodNotAllowed, "UnsupportedHttpVerb", "The resource doesn't support the specified HTTP verb or query.")
	}
	switch {
	case method == http.MethodPut && comp == "":
		return route{name: "PutBlob", perms: "w", blob: true, serve: (*handler).putBlob}, nil
	case method == http.MethodPut && comp == "block":
		return route{name: "PutBlock", perms: "w", blob: true, serve: (*handler).putBlock}, nil
	case method == http.MethodPut && comp == "blocklist":
		return route{name: "PutBlockList", perms: "w", blob: true, serve: (*handler).putBlockList}, nil
	case method == http.MethodGet && comp == "blocklist":
		return route{name: "GetBlockList", perms: "r", blob: true, serve: (*handler).getBlockList}, nil
	case (method == http.MethodGet || method == http.MethodHead) && comp == "":
		return route{name: "GetBlob", perms: "r", blob: true, serve: (*handler).getBlob}, nil
	case method == http.MethodDelete && comp == "":
		return route{name: "DeleteBlob", perms: "d", blob: true, serve: (*handler).deleteBlob}, nil
	}
	return route{}, newAzError(http.StatusMethodNotAllowed, "UnsupportedHttpVerb", "The resource doesn't support the specified HTTP verb or query.")
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	rid := newRequestID()
	hdr.Set("x-ms-request-id", rid)
	hdr.Set("x-ms-version", SignedVersion)
	if cid := r.Header.Get("x-ms-client-request-id"); cid != "" && len(cid) <= 1024 {
		hdr.Set("x-ms-client-request-id", cid)
	}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler { //nolint:errorlint // sentinel compared as documented
				panic(v)
			}
			h.opts.Logger.ErrorContext(r.Context(), "azfront: panic", "request_id", rid, "panic", v, "stack", string(debug.Stack()))
			e, _ := toAzError(nil)
			writeAzError(w, r, e)
		}
	}()
	rest, ok := strings.CutPrefix(cleanDots(r.URL.Path), h.opts.PathPrefix)
	if !ok {
		writeAzError(w, r, newAzError(http.StatusBadRequest, "InvalidUri", "The requested URI does not represent any resource on the server."))
		return
	}
	container, name, _ := strings.Cut(rest, "/")
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeAzError(w, r, newAzError(http.StatusBadRequest, "InvalidQueryParameterValue", "The query string is malformed."))
		return
	}
	rt, aerr := pickRoute(r.Method, q, name != "")
	if aerr != nil {
		writeAzError(w, r, aerr)
		return
	}
	// Authenticate before touching storage, so unauthenticated callers
	// learn nothing about what exists.
	granted, err := h.sig.verify(container, q)
	if err != nil {
		h.fail(w, r, rt.name, err)
		return
	}
	if !strings.ContainsAny(granted, rt.perms) {
		writeAzError(w, r, newAzError(http.StatusForbidden, "AuthorizationPermissionMismatch", "This request is not authorized to perform this operation using this permission."))
		return
	}
	if rt.blob {
		if err := blob.ValidateName(name); err != nil {
			h.fail(w, r, rt.name, err)
			return
		}
	}
	if err := h.be.ContainerExists(r.Context(), container); err != nil {
		if isNotFound(err) {
			writeAzError(w, r, newAzError(http.StatusNotFound, "ContainerNotFound", "The specified container does not exist."))
			return
		}
		h.fail(w, r, rt.name, err)
		return
	}
	rt.serve(h, w, r, &request{container: container, name: name, query: q})
}

// fail maps err to an Azure error, logging unexpected ones.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, op string, err error) {
	e, known := toAzError(err)
	if !known {
		h.opts.Logger.ErrorContext(r.Context(), "azfront", "op", op, "request_id", w.Header().Get("x-ms-request-id"), "err", err)
	}
	writeAzError(w, r, e)
}

// cleanDots drops "." and ".." segments at the start of the path, which
// resolve to the root (RFC 3986 §5.2.4) as Azure's front end resolves
// them (the AMS Python samples build "/../{container}/…"). Later dot
// segments are left for the name checks to refuse.
func cleanDots(p string) string {
	for {
		switch {
		case strings.HasPrefix(p, "/../"):
			p = p[3:]
		case strings.HasPrefix(p, "/./"):
			p = p[2:]
		case p == "/.." || p == "/.":
			return "/"
		default:
			return p
		}
	}
}
