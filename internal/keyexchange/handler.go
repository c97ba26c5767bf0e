package keyexchange

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/store"
)

// Prefix is the path prefix of credential management on the API listener.
const Prefix = "/keyexchange/"

// Handler serves credential management:
//
//	GET    /keyexchange/{msid}/apiKeys              list API keys (names, creation times)
//	POST   /keyexchange/{msid}/apiKeys              {"name":…} → 201 {"name","key"} (key shown once)
//	DELETE /keyexchange/{msid}/apiKeys/{name}
//	GET    /keyexchange/{msid}/widevineSigners      list signers
//	PUT    /keyexchange/{msid}/widevineSigners/{n}  {"aesSigningKey":hex64,"aesSigningIv":hex32} (write-only)
//	DELETE /keyexchange/{msid}/widevineSigners/{n}
type Handler struct {
	Store store.Store
	Auth  auth.Authenticator
	Creds *Credentials
	Log   *slog.Logger
}

// Register adds the routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET "+Prefix+"{msid}/apiKeys", h.wrap(h.listKeys))
	mux.HandleFunc("POST "+Prefix+"{msid}/apiKeys", h.wrap(h.createKey))
	mux.HandleFunc("DELETE "+Prefix+"{msid}/apiKeys/{name}", h.wrap(h.deleteCred(KindAPIKey)))
	mux.HandleFunc("GET "+Prefix+"{msid}/widevineSigners", h.wrap(h.listSigners))
	mux.HandleFunc("PUT "+Prefix+"{msid}/widevineSigners/{name}", h.wrap(h.putSigner))
	mux.HandleFunc("DELETE "+Prefix+"{msid}/widevineSigners/{name}", h.wrap(h.deleteCred(KindWidevineSigner)))
}

// httpError is an ARM-shaped error answer.
type httpError struct {
	status        int
	code, message string
	err           error
}

func (e *httpError) Error() string { return e.message }

func errorf(status int, code, msg string) *httpError {
	return &httpError{status: status, code: code, message: msg}
}

// WriteARMError writes {"error":{"code","message"}}.
func WriteARMError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

type handlerFunc func(ctx context.Context, w http.ResponseWriter, r *http.Request, acct Account) error

// wrap authenticates the bearer token, finds the account and checks that
// the principal may write streaming locators there.
func (h *Handler) wrap(fn handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := h.serve(w, r, fn)
		if err == nil {
			return
		}
		var he *httpError
		if !errors.As(err, &he) {
			h.Log.ErrorContext(r.Context(), "key exchange management", "err", err)
			he = errorf(http.StatusInternalServerError, "InternalError", "The request failed; see the server log.")
		}
		if he.status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", auth.Challenge(auth.DefaultRealm, he.err))
		}
		WriteARMError(w, he.status, he.code, he.message)
	}
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request, fn handlerFunc) error {
	ctx := r.Context()
	acct, err := AuthorizeBearer(ctx, h.Store, h.Auth, r)
	if err != nil {
		return err
	}
	return fn(ctx, w, r, acct)
}

// AuthorizeBearer authenticates r's bearer token and returns the account
// of the path's {msid} when the principal may write its streaming
// locators (the right to see content keys). Errors are *httpError values
// with ARM codes.
func AuthorizeBearer(ctx context.Context, st store.Reader, a auth.Authenticator, r *http.Request) (Account, error) {
	p, err := a.Authenticate(r)
	if err != nil {
		return Account{}, &httpError{status: http.StatusUnauthorized, code: "AuthenticationFailed",
			message: "Authentication failed: a valid bearer token is required.", err: err}
	}
	acct, err := LookupAccount(ctx, st, r.PathValue("msid"))
	if err != nil {
		if errors.Is(err, ErrAccountNotFound) {
			return Account{}, errorf(http.StatusNotFound, "ResourceNotFound", "No account has this media service id.")
		}
		return Account{}, err
	}
	if !auth.Allowed(p, acct.Path, auth.ResStreamingLocators, "listContentKeys") {
		return Account{}, &httpError{status: http.StatusForbidden, code: "AuthorizationFailed",
			message: "The client '" + p.ID + "' may not read or mint content keys in this account.", err: auth.ErrForbidden}
	}
	return acct, nil
}

// StatusAndMessage returns an error's HTTP status and safe message when it
// is one of this package's errors (ok false otherwise).
func StatusAndMessage(err error) (status int, code, msg string, cause error, ok bool) {
	var he *httpError
	if errors.As(err, &he) {
		return he.status, he.code, he.message, he.err, true
	}
	return 0, "", "", nil, false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errorf(http.StatusBadRequest, "InvalidRequestBody", "The request body is not the expected JSON object: "+err.Error())
	}
	return nil
}

func inputError(err error) error {
	var ie *ErrInvalidInput
	switch {
	case errors.As(err, &ie):
		return errorf(http.StatusBadRequest, "BadRequest", ie.Msg)
	case errors.Is(err, store.ErrConflict):
		return errorf(http.StatusConflict, "Conflict", "A credential with this name already exists.")
	case errors.Is(err, store.ErrNotFound):
		return errorf(http.StatusNotFound, "ResourceNotFound", "No credential has this name.")
	}
	return err
}

func (h *Handler) listKeys(ctx context.Context, w http.ResponseWriter, _ *http.Request, acct Account) error {
	l, err := h.Creds.List(ctx, acct, KindAPIKey)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": l})
	return nil
}

func (h *Handler) createKey(ctx context.Context, w http.ResponseWriter, r *http.Request, acct Account) error {
	var body struct {
		Name string `json:"name"`
	}
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	key, err := h.Creds.CreateAPIKey(ctx, acct, body.Name)
	if err != nil {
		return inputError(err)
	}
	writeJSON(w, http.StatusCreated, map[string]string{"name": body.Name, "key": key})
	return nil
}

func (h *Handler) listSigners(ctx context.Context, w http.ResponseWriter, _ *http.Request, acct Account) error {
	l, err := h.Creds.List(ctx, acct, KindWidevineSigner)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": l})
	return nil
}

func (h *Handler) putSigner(ctx context.Context, w http.ResponseWriter, r *http.Request, acct Account) error {
	var body struct {
		Key string `json:"aesSigningKey"`
		IV  string `json:"aesSigningIv"`
	}
	if err := decodeBody(r, &body); err != nil {
		return err
	}
	name := r.PathValue("name")
	if err := h.Creds.PutSigner(ctx, acct, name, body.Key, body.IV); err != nil {
		return inputError(err)
	}
	writeJSON(w, http.StatusOK, map[string]string{"name": name})
	return nil
}

func (h *Handler) deleteCred(kind store.Kind) handlerFunc {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, acct Account) error {
		if err := h.Creds.Delete(ctx, acct, kind, r.PathValue("name")); err != nil {
			return inputError(err)
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}
