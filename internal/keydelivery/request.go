package keydelivery

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/policy"
	"github.com/lockstream/lockstream/internal/store"
)

// request is one key or license request on its way through the steps
// every endpoint shares.
type request struct {
	s    *Server
	w    http.ResponseWriter
	r    *http.Request
	ctx  context.Context
	kind policy.Kind
	msid string
	acct *account
	// kids are the requested key ids, for the log.
	kids  []keys.KID
	token string
	// q is the parsed query string (query), nil until first asked for.
	q url.Values
	// grants records, per granted key id, the content key and the
	// decision that released it, for license routes (licensed.go); the
	// first (usually only) one is kept in one/oneKID, without a map.
	grants map[keys.KID]grant
	one    grant
	oneKID keys.KID
	oneSet bool
}

// begin runs the steps before the endpoint's own: method, account,
// allow-list. Token extraction comes later, after the body is read, since
// the token may be a field of a form body.
func (rq *request) begin(methods ...string) error {
	if !slices.Contains(methods, rq.r.Method) {
		return &httpError{Status: http.StatusMethodNotAllowed, Code: codeMethodNotAllowed,
			Public: "Use " + strings.Join(methods, " or ") + ".", Reason: "method " + rq.r.Method,
			Allow: strings.Join(append(methods, http.MethodOptions), ", ")}
	}
	acct, err := rq.s.account(rq.ctx, rq.msid)
	if err != nil {
		return err
	}
	rq.acct = acct
	// The allow-list is checked before tokens, as AMS did, so a denied
	// address learns nothing about keys or tokens.
	if !acct.admits(rq.r.RemoteAddr) {
		return errf(http.StatusForbidden, codeForbidden, "Key delivery is not allowed from this address.", "address not in the account's key delivery allow-list")
	}
	return nil
}

// readToken takes the token from the header, the query or a form body.
func (rq *request) readToken() error {
	tok, err := policy.TokenFromRequestQuery(rq.r, rq.query())
	if err != nil {
		if tooLarge(err) {
			return errTooLarge()
		}
		return fromPolicy(err, true)
	}
	rq.token = tok
	return nil
}

// queryKID parses the kid query parameter (exactly one, a GUID).
func (rq *request) queryKID() (keys.KID, error) {
	vs := rq.query()["kid"]
	switch len(vs) {
	case 0:
		return keys.KID{}, errf(http.StatusBadRequest, codeBadRequest, "The kid query parameter is required.", "no kid")
	case 1:
	default:
		return keys.KID{}, errf(http.StatusBadRequest, codeBadRequest, "Give the kid query parameter once.", "kid repeated")
	}
	kid, err := keys.ParseKID(vs[0])
	if err != nil {
		return keys.KID{}, errf(http.StatusBadRequest, codeBadRequest, "The kid query parameter is not a GUID.", "kid is not a GUID")
	}
	rq.kids = []keys.KID{kid}
	return kid, nil
}

// query returns the request's parsed query string, parsed once (the kid
// and the token both come from it).
func (rq *request) query() url.Values {
	if rq.q == nil {
		rq.q = rq.r.URL.Query()
	}
	return rq.q
}

// readBody reads the (already size-limited) body.
func (rq *request) readBody() ([]byte, error) {
	b, err := io.ReadAll(rq.r.Body)
	if err != nil {
		if tooLarge(err) {
			return nil, errTooLarge()
		}
		return nil, &httpError{Status: http.StatusBadRequest, Code: codeBadRequest, Public: "The request body could not be read.", Reason: "read body", Err: err}
	}
	return b, nil
}

func tooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

func errTooLarge() *httpError {
	return errf(http.StatusRequestEntityTooLarge, codeTooLarge, "The request body is too large.", "body over limit")
}

// granted logs a release at debug level: which option of which policy
// let which key go, never the key or the token.
func (rq *request) granted(kid keys.KID, ck *store.ContentKey, d policy.Decision) {
	switch {
	case !rq.oneSet || rq.oneKID == kid:
		rq.oneKID, rq.one, rq.oneSet = kid, grant{ck: ck, d: d}, true
	default:
		if rq.grants == nil {
			rq.grants = map[keys.KID]grant{}
		}
		rq.grants[kid] = grant{ck: ck, d: d}
	}
	if rq.s.Log.Enabled(rq.ctx, slog.LevelDebug) {
		rq.log(slog.LevelDebug, "key granted", slog.String("kid", kid.String()), slog.String("locator", ck.LocatorName),
			slog.String("policy", ck.PolicyName), slog.String("option", d.Name))
	}
}
