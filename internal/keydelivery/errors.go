package keydelivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/lockstream/lockstream/internal/httpx"
	"github.com/lockstream/lockstream/internal/policy"
)

// Error codes of response bodies.
const (
	codeBadRequest       = "BadRequest"
	codeTooLarge         = "RequestTooLarge"
	codeTokenRequired    = "TokenRequired"
	codeInvalidToken     = "InvalidToken"
	codeForbidden        = "Forbidden"
	codeNotFound         = "NotFound"
	codeAccountNotFound  = "AccountNotFound"
	codeKeyNotFound      = "KeyNotFound"
	codeMethodNotAllowed = "MethodNotAllowed"
	codeNotImplemented   = "LicenseServerNotConfigured"
	codeUnavailable      = "ServiceUnavailable"
	codeInternal         = "InternalServerError"
)

// httpError is a refusal: a status, a code and message safe to show, and
// the reason for the log.
type httpError struct {
	Status int
	Code   string
	Public string
	// Reason is for the log only. It never holds a key or a token.
	Reason string
	Err    error
	// Allow lists the methods of a 405.
	Allow string
}

func (e *httpError) Error() string {
	s := e.Code + ": " + e.Reason
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *httpError) Unwrap() error { return e.Err }

func errf(status int, code, public, reason string) *httpError {
	return &httpError{Status: status, Code: code, Public: public, Reason: reason}
}

// fromPolicy maps a policy refusal to its answer; other errors pass
// through (they become 500s). hadToken tells a missing token from a bad
// one, which RFC 6750 §3.1 answers differently.
func fromPolicy(err error, hadToken bool) error {
	var pe *policy.Error
	if !errors.As(err, &pe) {
		return err
	}
	e := &httpError{Public: pe.Public, Reason: fmt.Sprintf("option %d: %s", pe.Option, pe.Reason), Err: pe.Err}
	switch {
	case errors.Is(err, policy.ErrForbidden):
		e.Status, e.Code = http.StatusForbidden, codeForbidden
	case errors.Is(err, policy.ErrUnavailable):
		e.Status, e.Code = http.StatusServiceUnavailable, codeUnavailable
	case !hadToken:
		e.Status, e.Code = http.StatusUnauthorized, codeTokenRequired
	default:
		e.Status, e.Code = http.StatusUnauthorized, codeInvalidToken
	}
	return e
}

// rank orders refusals when several keys of one request fail: the answer
// names the most specific one, as the policy package does across options
// (a caller whose token verified learns it lacks entitlement).
func rank(err error) int {
	var he *httpError
	if !errors.As(err, &he) {
		return 5 // an internal failure outranks every refusal
	}
	switch he.Status {
	case http.StatusForbidden:
		return 4
	case http.StatusServiceUnavailable:
		return 3
	case http.StatusUnauthorized:
		return 2
	}
	return 1
}

// fail logs err and answers with it. Internal errors get a generic body;
// their detail goes to the log only.
func (rq *request) fail(err error) {
	var he *httpError
	if !errors.As(err, &he) {
		he = &httpError{Status: http.StatusInternalServerError, Code: codeInternal,
			Public: "An internal error occurred.", Reason: "internal", Err: err}
		if ctxErr := rq.ctx.Err(); ctxErr != nil {
			// The client left; nobody reads the answer.
			he.Status, he.Code, he.Public, he.Reason = http.StatusServiceUnavailable, codeUnavailable, "The request was cancelled.", "cancelled"
		}
	}
	level, msg := slog.LevelInfo, "key request refused"
	switch {
	case he.Status == http.StatusNotImplemented:
		level, msg = slog.LevelWarn, "no license server configured"
	case he.Status >= 500 && !errors.Is(err, context.Canceled):
		level, msg = slog.LevelError, "key request failed"
	}
	attrs := []slog.Attr{slog.Int("status", he.Status), slog.String("code", he.Code), slog.String("reason", he.Reason)}
	if he.Err != nil {
		attrs = append(attrs, slog.String("err", he.Err.Error()))
	}
	rq.log(level, msg, attrs...)
	if errors.Is(err, policy.ErrUsedUp) {
		httpx.SetNote(rq.ctx, httpx.NoteReplayed)
	}

	h := rq.w.Header()
	switch he.Status {
	case http.StatusUnauthorized:
		// RFC 6750 §3.1: no error code when the request had no token.
		if he.Code == codeTokenRequired {
			h.Set("WWW-Authenticate", `Bearer realm="keydelivery"`)
		} else {
			h.Set("WWW-Authenticate", `Bearer realm="keydelivery", error="invalid_token", error_description=`+strconv.Quote(he.Public))
		}
	case http.StatusMethodNotAllowed:
		h.Set("Allow", he.Allow)
	case http.StatusServiceUnavailable:
		h.Set("Retry-After", "5")
	}
	writeJSONError(rq.w, he.Status, he.Code, he.Public)
}

// writeJSONError writes {"error":{"code","message"}}, the shape of the
// management API's errors.
func writeJSONError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("x-ms-error-code", code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": message}})
}

// log writes one line about the request with the attributes every line
// carries: request id, endpoint, account, key ids. Never a key or token.
func (rq *request) log(level slog.Level, msg string, attrs ...slog.Attr) {
	if !rq.s.Log.Enabled(rq.ctx, level) {
		return // a granted key logs at debug level: build nothing per request
	}
	base := []slog.Attr{slog.String("id", httpx.ID(rq.ctx)), slog.String("mediaServiceId", rq.msid)}
	if rq.kind != 0 {
		base = append(base, slog.String("kind", rq.kind.String()))
	}
	if len(rq.kids) > 0 {
		ids := make([]string, len(rq.kids))
		for i, k := range rq.kids {
			ids[i] = k.String()
		}
		base = append(base, slog.Any("kids", ids))
	}
	rq.s.Log.LogAttrs(rq.ctx, level, msg, append(base, attrs...)...)
}
