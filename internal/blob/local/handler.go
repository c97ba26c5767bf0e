package local

import (
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"

	"github.com/lockstream/lockstream/internal/blob"
)

// HandlerOptions bounds what clients may send. Zero values take the
// defaults, which mirror Azure's own limits so SDK defaults keep working.
type HandlerOptions struct {
	// MaxPutBlobBytes caps a single Put Blob (default 5000 MiB, Azure's
	// limit; the SDK uses one Put Blob for uploads up to 256 MiB).
	MaxPutBlobBytes int64
	// MaxBlockBytes caps one Put Block (default 4000 MiB, Azure's limit).
	MaxBlockBytes int64
	// MaxBlobBytes caps a blob assembled by Put Block List and the bytes a
	// blob may have staged (default 1 TiB).
	MaxBlobBytes int64
	// MaxUncommittedBlocks caps staged blocks per blob (default 100000).
	MaxUncommittedBlocks int
	// MaxBlockListBlocks caps entries in a Put Block List (default 50000).
	MaxBlockListBlocks int
	// PathPrefix is where this handler is mounted; default the store's
	// Config.URLPrefix. A server may mount a second handler elsewhere (the
	// API listener keeps "/blob/" for URLs minted before the store moved
	// to a listener of its own); the signature covers the container, not
	// the prefix, so both verify the same URLs.
	PathPrefix string
	// Logger receives internal errors; nil uses the Store's logger.
	Logger *slog.Logger
}

const (
	mib = 1 << 20

	defaultMaxPutBlob     = 5000 * mib
	defaultMaxBlock       = 4000 * mib
	defaultMaxBlob        = 1 << 40
	defaultMaxUncommitted = 100000
	defaultMaxListBlocks  = 50000
	// A <Latest> entry with an 88-character id is ~105 bytes; this leaves
	// room for 50000 of them plus whitespace.
	maxBlockListBodyPerBlock = 256
)

func (o HandlerOptions) withDefaults() HandlerOptions {
	if o.MaxPutBlobBytes <= 0 {
		o.MaxPutBlobBytes = defaultMaxPutBlob
	}
	if o.MaxBlockBytes <= 0 {
		o.MaxBlockBytes = defaultMaxBlock
	}
	if o.MaxBlobBytes <= 0 {
		o.MaxBlobBytes = defaultMaxBlob
	}
	if o.MaxUncommittedBlocks <= 0 {
		o.MaxUncommittedBlocks = defaultMaxUncommitted
	}
	if o.MaxBlockListBlocks <= 0 {
		o.MaxBlockListBlocks = defaultMaxListBlocks
	}
	return o
}

// handler serves the Azure Blob REST subset the azblob SDK uses for block
// blob upload, download and listing, authorised by signed container URLs.
type handler struct {
	s      *Store
	opts   HandlerOptions
	log    *slog.Logger
	prefix string
}

// NewBlobHandler returns the handler for signed container URLs minted by
// store. Mount it at the store's URLPrefix on the server whose address is
// the store's PublicBaseURL:
//
//	mux.Handle(local.PathPrefix, local.NewBlobHandler(store, local.HandlerOptions{}))
//
// or, with URLPrefix "/", serve it as the whole listener's handler.
//
// The signing key is the store's own (Config.SigningKey), so URLs and their
// verification cannot drift apart. opts bounds request sizes.
func NewBlobHandler(store *Store, opts HandlerOptions) http.Handler {
	h := &handler{s: store, opts: opts.withDefaults(), log: opts.Logger, prefix: opts.PathPrefix}
	if h.log == nil {
		h.log = store.log
	}
	if h.prefix == "" {
		h.prefix = store.prefix
	}
	return h
}

// route is one supported operation.
type route struct {
	name  string
	perms string // any one of these SAS letters allows the operation
	blob  bool   // addresses a blob (else the container)
	serve func(h *handler, w http.ResponseWriter, r *http.Request, req *request)
}

// request is the parsed addressing of one call.
type request struct {
	container string
	name      string
	query     url.Values
}

// pickRoute maps method + query to an operation, like Azure's front end.
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
		// Never let a bug in one request take the connection down without
		// an answer; http.ErrAbortHandler is the deliberate way to abort.
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler { //nolint:errorlint // sentinel compared as documented
				panic(v)
			}
			h.log.ErrorContext(r.Context(), "local blob handler: panic", "request_id", rid, "panic", v, "stack", string(debug.Stack()))
			e, _ := toAzError(nil)
			writeAzError(w, r, e)
		}
	}()

	rest, ok := strings.CutPrefix(cleanDots(r.URL.Path), h.prefix)
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
	// Authenticate before looking at names or the file system, so
	// unauthenticated callers learn nothing about what exists.
	granted, err := h.s.verifySAS(container, q)
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
	if err := h.s.containerExists(container); err != nil {
		writeAzError(w, r, newAzError(http.StatusNotFound, "ContainerNotFound", "The specified container does not exist."))
		return
	}
	rt.serve(h, w, r, &request{container: container, name: name, query: q})
}

// fail maps err to an Azure error response, logging unexpected ones.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, op string, err error) {
	e, known := toAzError(err)
	if !known {
		h.log.ErrorContext(r.Context(), "local blob handler", "op", op, "request_id", w.Header().Get("x-ms-request-id"), "err", err)
	}
	writeAzError(w, r, e)
}

// cleanDots drops "." and ".." segments at the start of the path, which
// resolve to the root (RFC 3986 §5.2.4) as Azure's front end resolves
// them: the AMS Python samples' upload helper builds "/../{container}/…".
// Dot segments after the first real segment are left for the name checks
// to refuse, so a blob name is never rewritten into another.
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
