package api

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/httpx"
	"github.com/lockstream/lockstream/internal/identity"
	"github.com/lockstream/lockstream/internal/jobs"
	"github.com/lockstream/lockstream/internal/jsonstrict"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/store"
)

// APIVersions are the api-version values accepted on every route: every
// stable AMS v3 version from 2021-11-01 to 2023-01-01.
var APIVersions = []string{"2021-11-01", "2022-07-01", "2022-08-01", "2022-11-01", "2023-01-01"}

// Server is the management API. Set the exported fields, then use it as an
// http.Handler.
type Server struct {
	Store store.Store
	Blob  blob.Store
	// Sealer seals secrets (content keys, policy secrets) at rest.
	Sealer keys.Sealer
	Auth   auth.Authenticator
	// Audit records management writes (optional).
	Audit auditor
	// Identity serves principal management to Owners (optional).
	Identity identityAdmin
	// STS serves playback token users to Owners (optional).
	STS stsAdmin
	// InputURLs checks the URLs of JobInputHttp inputs when a job is
	// submitted (the outbound guard); nil allows https URLs only.
	InputURLs jobURLChecker
	// Outbound validates URLs the server will fetch later (content key
	// policies' OpenID Connect discovery documents): the node's
	// outbound-request guard (*netguard.Guard). Nil means a guard with the
	// defaults, public https only.
	Outbound urlChecker
	// Events validates event subscriptions and is woken after commits
	// that published events (optional: without it events wait for the
	// engine's poll, and new subscriptions for its sweep).
	Events eventsEngine
	// EventValidationWindow is how long a new event subscription may
	// await validation (default 5 min, as Event Grid).
	EventValidationWindow time.Duration
	// EventURLs checks webhook URLs when a subscription is created or
	// re-pointed (the outbound guard's CheckURL), so a refused destination
	// is a 400 at once rather than a failed handshake (optional: delivery
	// goes through the guard either way).
	EventURLs urlChecker
	// JobChanged sees job changes the API makes (cancelJob) inside their
	// transaction, as the job engine's OnChange does (optional).
	JobChanged jobs.ChangeFunc
	// KeyProviders fetches keys and DRM signalling from the account's
	// CPIX/SPEKE key providers when a locator is created under a streaming
	// policy one of them names (optional: without it such a locator is
	// refused, never created with keys of Lockstream's own).
	KeyProviders keyFetcher
	Log          *slog.Logger
	// PublicURL is this listener's external base URL (no trailing slash),
	// used for @odata.nextLink and async-operation headers.
	PublicURL string
	// OriginHost is the host[:port] reported as streaming endpoints'
	// hostName.
	OriginHost string
	Location   string
	PageSize   int
	MaxBody    int64
	// Now and Rand are injected so tests control time and randomness.
	Now  func() time.Time
	Rand io.Reader
}

// Defaults for a Server built without configuration.
const (
	defaultMaxBody  = 4 << 20
	defaultPageSize = 100
)

func (s *Server) pageSize() int {
	if s.PageSize <= 0 {
		return defaultPageSize
	}
	return s.PageSize
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Server) rand() io.Reader {
	if s.Rand != nil {
		return s.Rand
	}
	return rand.Reader
}

// auditor persists audit events; *identity.Service implements it.
type auditor interface {
	Audit(ctx context.Context, e identity.Event) error
}

// call carries one request through the handlers.
type call struct {
	s          *Server
	w          http.ResponseWriter
	r          *http.Request
	ctx        context.Context
	apiVersion string
	principal  auth.Principal
	now        time.Time
	// acct is set for routes under an account.
	acct *accountRef
	// opID names the asynchronous operation a 202 response reports.
	opID string
	// containers lists blob containers to remove after a delete commits.
	containers []string
	// after runs once the request is served (its transaction committed);
	// published is set when the request appended events to the outbox.
	after     func()
	published bool
	// keyFetch is what a locator create fetched from its key provider
	// before the write transaction.
	keyFetch *providerFetch
}

// accountRef names an account as the path gave it.
type accountRef struct {
	sub, rg, name string
}

// scope is the lower-cased store scope of the account's children.
func (a *accountRef) scope() string {
	return strings.ToLower("/subscriptions/" + a.sub + "/resourcegroups/" + a.rg + "/providers/microsoft.media/mediaservices/" + a.name)
}

// id is the ARM id prefix of the account, in ARM casing.
func (a *accountRef) id() string {
	return "/subscriptions/" + a.sub + "/resourceGroups/" + a.rg + "/providers/Microsoft.Media/mediaservices/" + a.name
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &httpx.StatusWriter{ResponseWriter: w}
	c := &call{s: s, w: sw, r: r, ctx: r.Context(), now: s.now()}
	if err := s.serve(c); err != nil {
		writeError(s.Log, sw, r, err)
	} else {
		if c.after != nil {
			c.after()
		}
		if c.published && s.Events != nil {
			s.Events.Kick()
		}
	}
	c.audit(sw.Status())
}

func (s *Server) serve(c *call) error {
	r := c.r
	v := r.URL.Query()["api-version"]
	versions := APIVersions
	if isEventGridPath(r.URL.EscapedPath()) {
		versions = EventGridAPIVersions
	}
	switch {
	case len(v) == 0 || v[0] == "":
		return badRequest("MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
	case len(v) > 1:
		return badRequest("InvalidApiVersionParameter", "The api-version query parameter must be given once.")
	case !slices.Contains(versions, v[0]):
		return badRequest("InvalidApiVersionParameter", fmt.Sprintf("The api-version '%.40s' is invalid. The supported versions are '%s'.", v[0], strings.Join(versions, ",")))
	}
	c.apiVersion = v[0]
	p, err := s.Auth.Authenticate(r)
	if err != nil {
		return err
	}
	c.principal = p
	c.ctx = auth.WithPrincipal(c.ctx, p)
	return s.route(c)
}

// readBody decodes the JSON request body into v with size limits and
// precise errors. An empty body is an error unless allowEmpty.
func (c *call) readBody(v any, allowEmpty bool) error {
	b, err := c.body()
	if err != nil {
		return err
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		if allowEmpty {
			return nil
		}
		return badRequest("InvalidRequestContent", "The request body is required.")
	}
	return decodeJSON(b, v)
}

// body reads the raw request body within the size limit.
func (c *call) body() ([]byte, error) {
	if ct := c.r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return nil, newError(http.StatusUnsupportedMediaType, "UnsupportedMediaType", "The request content type must be application/json.")
		}
	}
	limit := c.s.MaxBody
	if limit <= 0 {
		limit = defaultMaxBody
	}
	b, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, newError(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", fmt.Sprintf("The request body exceeds %d bytes.", mbe.Limit))
		}
		return nil, badRequest("InvalidRequestContent", "The request body could not be read.")
	}
	// encoding/json keeps the last of duplicate members silently; refuse
	// them, as the token parser does, so what is validated is what was sent.
	if path, dup := jsonstrict.FirstDuplicateFold(b); dup {
		return nil, &Error{Status: http.StatusBadRequest, Code: "InvalidRequestContent", Target: path,
			Message: fmt.Sprintf("The member '%s' is given more than once in the request body (member names compare without case).", path)}
	}
	return b, nil
}

// decodeJSON decodes b into v, mapping decoder errors to messages that
// name the offending field or position.
func decodeJSON(b []byte, v any) error {
	err := json.Unmarshal(b, v)
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var fe fieldError
	switch {
	case errors.As(err, &fe):
		return err
	case errors.As(err, &se):
		return badRequest("InvalidRequestContent", fmt.Sprintf("The request body is not valid JSON: %s at offset %d.", se.Error(), se.Offset))
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "(root)"
		}
		return &Error{Status: http.StatusBadRequest, Code: "InvalidRequestContent", Target: field,
			Message: fmt.Sprintf("The value of field '%s' has the wrong type: got JSON %s, want %s.", field, te.Value, te.Type)}
	}
	return &Error{Status: http.StatusBadRequest, Code: "InvalidRequestContent", Message: "The request body is invalid: " + err.Error(), Err: err}
}
