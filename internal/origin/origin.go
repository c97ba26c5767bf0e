package origin

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/protect"
	"github.com/lockstream/lockstream/internal/streamurl"
	"github.com/lockstream/lockstream/internal/ttlcache"
)

// Server is the streaming origin handler.
type Server struct {
	Store metaReader
	Blob  assetReader
	Log   *slog.Logger
	// TargetDuration is the segment length aimed at (default 4 s).
	TargetDuration time.Duration
	// CacheBytes bounds the parsed sample tables kept (default 256 MiB).
	CacheBytes int64
	// MetaTTL is how long locator, policy and filter reads are reused
	// (default 5 s): a changed filter or stopped endpoint takes effect
	// within it.
	MetaTTL time.Duration
	// Now returns the current time (time.Now when nil).
	Now func() time.Time
	// Sealer opens the content keys sealed at rest (for the built-in
	// protection layer).
	Sealer keys.Sealer
	// KeyDeliveryBase is the external base URL of the API listener, where
	// key delivery answers; manifests point players there (built-in
	// protection layer).
	KeyDeliveryBase string
	// Protect, when set, is the protection layer (key source, signalling);
	// by default one over the store's keys, Sealer and KeyDeliveryBase.
	Protect *protect.Layer
	// Trace, when set, opens a tracing span (packaging and encryption of
	// one response) and returns its end; nil costs nothing.
	Trace func(ctx context.Context, name string) (context.Context, func())

	cache   *media.Cache
	meta    *ttlcache.Cache[string, *locatorInfo] // by locator id
	protect *protect.Layer
	bufs    segmentBuffers
	samples sampleBuffers
	// skeletons keeps streamed segments' headers and encryption plans,
	// by ETag.
	skeletons *ttlcache.Cache[string, *skeleton]
	// materialise builds fMP4 and MPEG-TS segments whole in memory
	// instead of streaming them (tests compare both).
	materialise bool
	// streamChunk overrides the stream write size (tests: samples, and
	// TS PES units, larger than a chunk take their own path).
	streamChunk int
}

// Initialize prepares the caches and the protection layer; call once
// before serving.
func (s *Server) Initialize() error {
	if s.CacheBytes <= 0 {
		s.CacheBytes = 256 << 20
	}
	if s.TargetDuration <= 0 {
		s.TargetDuration = 4 * time.Second
	}
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	s.cache = media.NewCache(s.CacheBytes)
	s.meta = ttlcache.New[string, *locatorInfo](s.metaTTL(), 10_000)
	// A skeleton is a few KiB (headers, IVs, subsample layouts): 4,096
	// of them cover the segments a busy node serves, in tens of MiB.
	s.skeletons = ttlcache.New[string, *skeleton](10*time.Minute, 4096)
	s.protect = s.Protect
	if s.protect == nil {
		s.protect = &protect.Layer{Keys: protect.StoreKeys{Store: s.Store, Sealer: s.Sealer}, KeyDeliveryBase: s.KeyDeliveryBase}
	}
	if err := s.protect.Initialize(); err != nil {
		return fmt.Errorf("origin: %w", err)
	}
	return nil
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Server) metaTTL() time.Duration {
	if s.MetaTTL > 0 {
		return s.MetaTTL
	}
	return 5 * time.Second
}

// Cache durations: segments never change for a given URL (the ETag moves
// with the files), manifests may change with filters and policies.
const (
	segmentMaxAge  = 365 * 24 * time.Hour
	manifestMaxAge = 2 * time.Second
)

// ServeHTTP answers one streaming request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setCORS(w.Header())
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		w.Header().Set("Allow", "GET, HEAD, OPTIONS")
		writeError(w, mpe(http.StatusMethodNotAllowed, "MPE_METHOD_NOT_ALLOWED", "%s is not supported; use GET or HEAD", r.Method))
		return
	}
	// Segment samples are read from memory-mapped files (blob.Mapper): a
	// file truncated underneath by something outside the store would
	// fault, which this turns into a panic that Recover answers (500, or
	// the response cut short) instead of a crash of the process.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	if err := s.serve(r.Context(), w, r); err != nil {
		var me *mpeError
		var ue *streamurl.Error
		switch {
		case errors.As(err, &me):
		case errors.As(err, &ue):
			me = mpe(ue.Status, ue.Code, "%s", ue.Msg)
		case errors.Is(err, context.Canceled):
			return
		default:
			s.Log.ErrorContext(r.Context(), "origin request failed", "path", r.URL.Path, "err", err)
			me = mpe(http.StatusInternalServerError, codeStorageFailure, "the origin could not produce this response")
		}
		writeError(w, me)
	}
}

func setCORS(h http.Header) {
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Range")
	h.Set("Access-Control-Expose-Headers", "Content-Length, Content-Range, ETag, X-Lockstream-Error-Code")
	h.Set("Access-Control-Max-Age", "86400")
}

func (s *Server) serve(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	req, err := streamurl.Parse(r.URL.EscapedPath())
	if err != nil {
		return err
	}
	li, err := s.loadLocator(ctx, req.LocatorID, false)
	if err != nil {
		return err
	}
	if me := s.checkServable(li, r.Host); me != nil {
		return me
	}
	if req.Kind == streamurl.KindDownload {
		return s.download(ctx, w, r, li, req)
	}
	scheme, me := chooseScheme(li.Policy, req.Format, req.Encryption)
	if me != nil {
		return me
	}
	p, key, err := s.presentation(ctx, li, req.Name)
	if err != nil {
		return err
	}
	var enc *protect.Protection
	if scheme != streamurl.EncNone {
		enc = s.protect.For(li.Prot, scheme, key)
	}
	sub := streamurl.Args{Format: req.Format, Encryption: req.Encryption, Filters: req.Filters}
	suffix := ""
	if a := sub.String(); a != "" {
		suffix = "," + a
	}
	v, me := view(p, li, req.Filters, suffix)
	if me != nil && me.Code == codeFilterNotFound && s.now().Sub(li.loaded) > 0 {
		// A filter created after the locator was cached must not 404 for
		// the cache's lifetime: look again once.
		if li2, err := s.loadLocator(ctx, req.LocatorID, true); err == nil {
			v, me = view(p, li2, req.Filters, suffix)
		}
	}
	if me != nil {
		return me
	}
	// Segment buffers are recycled once the response is written: the body
	// may be one of them.
	src := &requestSource{blobSource: blobSource{s.Blob, li.Container}, bufs: &s.bufs}
	defer src.release()
	// The ETag covers the inputs (presentation key: files and their
	// versions) and the request; the bytes are a pure function of them.
	h := fnv.New128a()
	fmt.Fprintf(h, "%s\x00%s\x00%s", key, r.URL.EscapedPath(), li.Asset.Modified.UTC().Format(time.RFC3339Nano))
	etag := fmt.Sprintf(`"%x"`, h.Sum(nil))
	// The span covers producing the body (or, when streamed, its plan);
	// streamed sample reads and encryption happen while it is written.
	pctx, endSpan := ctx, func() {}
	if s.Trace != nil {
		pctx, endSpan = s.Trace(ctx, "origin.package")
	}
	out, err := s.produce(pctx, src, req, v, enc, etag)
	endSpan()
	if err != nil {
		return err
	}
	if out.stream != nil {
		defer out.stream.Close()
	}
	var ce clientError
	if err := writeBody(w, r, out, etag); err != nil && ctx.Err() == nil && !errors.As(err, &ce) {
		// The headers are out: the response can only end short (net/http
		// then closes the connection), so say why here.
		s.Log.WarnContext(ctx, "origin response cut short", "path", r.URL.Path, "err", err)
	}
	return nil
}

// output is a produced response body.
type output struct {
	body        []byte
	stream      bodyStream // instead of body: written as it is read
	contentType string
	manifest    bool // short cache lifetime and compression
}

// bodyStream is a segment produced as it is written (fMP4: segmentStream,
// MPEG-TS: hls.TSStream): whole GETs go through WriteTo, ranges, HEAD and
// conditional requests through http.ServeContent over the ReadSeeker.
// WriteTo's errors are client errors when the writer's, read errors
// otherwise.
type bodyStream interface {
	Size() int64
	io.ReadSeeker
	io.WriterTo
	io.Closer
}

// clientError is a failed write to the client (gone, usually), as
// opposed to a failed read of the samples.
type clientError struct{ error }

func (e clientError) Unwrap() error { return e.error }

// clientWriter marks the errors of writes to the client as clientError,
// so that a client gone is told from a failed read of the samples: the
// streams' WriteTo return their writer's errors as they are.
type clientWriter struct{ w io.Writer }

func (c clientWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	if err != nil {
		err = clientError{err}
	}
	return n, err
}

// writeBody sends out with caching headers; http.ServeContent handles
// Range, HEAD and conditional requests.
// A streamed body that fails after its headers were sent returns the
// error.
func writeBody(w http.ResponseWriter, r *http.Request, out *output, etag string) error {
	h := w.Header()
	h.Set("Content-Type", out.contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	body := out.body
	if out.manifest {
		h.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(manifestMaxAge/time.Second)))
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) && r.Header.Get("Range") == "" && len(body) > 512 {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
			_, _ = zw.Write(body)
			_ = zw.Close()
			body = buf.Bytes()
			h.Set("Content-Encoding", "gzip")
			etag = strings.TrimSuffix(etag, `"`) + `-gz"`
		}
	} else {
		h.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(segmentMaxAge/time.Second))+", immutable")
	}
	h.Set("ETag", etag)
	if out.stream != nil {
		if plainGet(r) {
			// What ServeContent answers, written in large pieces: it
			// copies through a 32 KiB buffer.
			h.Set("Accept-Ranges", "bytes")
			h.Set("Content-Length", strconv.FormatInt(out.stream.Size(), 10))
			w.WriteHeader(http.StatusOK)
			_, err := out.stream.WriteTo(clientWriter{w})
			return err
		}
		http.ServeContent(w, r, "", time.Time{}, out.stream)
		return nil
	}
	if plainGet(r) {
		// One write of the whole body: ServeContent would copy it
		// through a 32 KiB buffer, a write each.
		h.Set("Accept-Ranges", "bytes")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body) // a failed write is the client gone
		return nil
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	return nil
}

// plainGet reports a GET for the whole body with no condition.
func plainGet(r *http.Request) bool {
	if r.Method != http.MethodGet {
		return false
	}
	for _, k := range []string{"Range", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "If-Range"} {
		if _, ok := r.Header[k]; ok {
			return false
		}
	}
	return true
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") && !strings.Contains(strings.ReplaceAll(params, " ", ""), "q=0") {
			return true
		}
	}
	return false
}

// chooseScheme decides the encryption of a request in format f under the
// locator's streaming policy (ams-v3-api.md §9.2 rules).
func chooseScheme(p *defs.StreamingPolicyProperties, f streamurl.Format, asked streamurl.Encryption) (streamurl.Encryption, *mpeError) {
	return chooseSchemeFor(p, f.Protocol(), f == streamurl.FormatHLSCMAF || f == streamurl.FormatDASHCMAF, asked)
}

// chooseSchemeFor decides for protocol; cmaf marks the CMAF formats, for
// which AMS required encryption= whenever the answer would be encrypted.
func chooseSchemeFor(p *defs.StreamingPolicyProperties, protocol string, cmaf bool, asked streamurl.Encryption) (streamurl.Encryption, *mpeError) {
	enabled := func(ep *defs.EnabledProtocols) bool {
		if ep == nil {
			return false
		}
		var b *bool
		switch protocol {
		case "Hls":
			b = ep.Hls
		case "Dash":
			b = ep.Dash
		case "SmoothStreaming":
			b = ep.SmoothStreaming
		case "Download":
			b = ep.Download
		}
		return b != nil && *b
	}
	schemes := map[streamurl.Encryption]bool{}
	if p.NoEncryption != nil && enabled(p.NoEncryption.EnabledProtocols) {
		schemes[streamurl.EncNone] = true
	}
	if p.EnvelopeEncryption != nil && enabled(p.EnvelopeEncryption.EnabledProtocols) {
		schemes[streamurl.EncCBC] = true
	}
	if p.CommonEncryptionCenc != nil && enabled(p.CommonEncryptionCenc.EnabledProtocols) {
		schemes[streamurl.EncCENC] = true
	}
	if p.CommonEncryptionCbcs != nil && enabled(p.CommonEncryptionCbcs.EnabledProtocols) {
		schemes[streamurl.EncCBCS] = true
	}
	if len(schemes) == 0 {
		return 0, mpe(http.StatusForbidden, codeFormatBlocked, "the streaming policy does not enable %s", protocol)
	}
	if asked != streamurl.EncNone {
		if !schemes[asked] {
			return 0, mpe(http.StatusForbidden, codeEncNotInPolicy, "the streaming policy does not enable encryption=%s for %s", asked, protocol)
		}
		return asked, nil
	}
	if schemes[streamurl.EncNone] {
		return streamurl.EncNone, nil
	}
	if len(schemes) > 1 {
		return 0, mpe(http.StatusBadRequest, codeEncNotSpecified, "the streaming policy enables several encryption schemes for %s; add encryption= to the URL", protocol)
	}
	if cmaf {
		return 0, mpe(http.StatusBadRequest, codeEncNotSpecified, "the streaming policy encrypts and this is a CMAF request; add encryption= to the URL")
	}
	// Exactly one scheme and no clear delivery: the policy says encrypt.
	for e := range schemes {
		return e, nil
	}
	return 0, mpe(http.StatusForbidden, codeEncRequired, "the streaming policy requires encryption")
}

// download streams one asset file when the policy allows clear download.
func (s *Server) download(ctx context.Context, w http.ResponseWriter, r *http.Request, li *locatorInfo, req *streamurl.Request) error {
	scheme, me := chooseSchemeFor(li.Policy, "Download", false, streamurl.EncNone)
	if me != nil {
		return me
	}
	if scheme != streamurl.EncNone {
		return mpe(http.StatusForbidden, codeEncRequired, "the streaming policy does not allow clear download")
	}
	info, err := s.Blob.Stat(ctx, li.Container, req.File)
	if errors.Is(err, blob.ErrNotFound) || errors.Is(err, blob.ErrInvalidName) {
		return mpe(http.StatusNotFound, codeStorageNotFound, "the asset has no file %q", req.File)
	}
	if err != nil {
		return fmt.Errorf("stat %s: %w", req.File, err)
	}
	h := w.Header()
	ct := info.ContentType
	if ct == "" || ct == "application/octet-stream" {
		ct = contentTypeOf(req.File)
	}
	h.Set("Content-Type", ct)
	h.Set("Cache-Control", "public, max-age=3600")
	if info.ETag != "" {
		h.Set("ETag", `"`+strings.Trim(info.ETag, `"`)+`"`)
	}
	rs := &blobReadSeeker{ctx: ctx, s: s.Blob, container: li.Container, name: req.File, size: info.Size}
	defer rs.close()
	http.ServeContent(w, r, "", info.Modified, rs)
	return nil
}

func contentTypeOf(name string) string {
	switch n := strings.ToLower(name); {
	case strings.HasSuffix(n, ".mp4"), strings.HasSuffix(n, ".m4v"), strings.HasSuffix(n, ".ismv"):
		return "video/mp4"
	case strings.HasSuffix(n, ".m4a"), strings.HasSuffix(n, ".isma"):
		return "audio/mp4"
	}
	return "application/octet-stream"
}
