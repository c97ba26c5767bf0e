package speke

import (
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/cpix"
	"github.com/lockstream/lockstream/internal/keydelivery"
	"github.com/lockstream/lockstream/internal/keyexchange"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/store"
)

// Path is the route of the SPEKE endpoint on the API listener.
const Path = "/speke/v2/{msid}"

// Response headers.
const (
	HeaderVersion   = "X-Speke-Version"
	HeaderUserAgent = "X-Speke-User-Agent"
)

// Server is the SPEKE v2 endpoint.
type Server struct {
	Store  store.Store
	Sealer keys.Sealer
	// Auth verifies management bearer tokens.
	Auth  auth.Authenticator
	Creds *keyexchange.Credentials
	// KeyDeliveryBase is the API listener's external base URL, for the
	// key-delivery URLs the signalling carries.
	KeyDeliveryBase string
	// UserAgent goes into X-Speke-User-Agent.
	UserAgent string
	Log       *slog.Logger
	Rand      io.Reader

	minter *keyexchange.Minter
}

// Initialize checks the configuration.
func (s *Server) Initialize() error {
	if s.Store == nil || s.Sealer == nil || s.Auth == nil || s.Creds == nil {
		return errors.New("speke: Store, Sealer, Auth and Creds are required")
	}
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	if s.Rand == nil {
		s.Rand = rand.Reader
	}
	if s.UserAgent == "" {
		s.UserAgent = "Lockstream"
	}
	s.minter = &keyexchange.Minter{Store: s.Store, Sealer: s.Sealer, Rand: s.Rand}
	return nil
}

// Close releases nothing; it exists for the lifecycle convention.
func (s *Server) Close() error { return nil }

// Register adds the route to mux.
func (s *Server) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST "+Path, s.ServeHTTP)
}

// ServeHTTP answers one SPEKE request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	version := r.Header.Get(HeaderVersion)
	h := w.Header()
	h.Set(HeaderUserAgent, s.UserAgent)
	h.Set("Cache-Control", "no-store")
	if _, ok := Versions[version]; ok {
		h.Set(HeaderVersion, version)
	}
	body, err := s.serve(r, version)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h.Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func (s *Server) serve(r *http.Request, version string) ([]byte, error) {
	ctx := r.Context()
	acct, err := s.authenticate(r)
	if err != nil {
		return nil, err
	}
	if _, ok := Versions[version]; !ok {
		return nil, unprocessable(msgUnsupportedSPEKE)
	}
	raw, err := cpix.ReadLimited(r.Body)
	if errors.Is(err, cpix.ErrTooLarge) {
		return nil, &Error{Status: http.StatusRequestEntityTooLarge, Message: "The CPIX document is larger than the limit.", Err: err}
	}
	if err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Message: "The request body could not be read.", Err: err}
	}
	d, err := cpix.Parse(raw)
	if err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Message: "Malformed CPIX document: " + err.Error(), Err: err}
	}
	if err := Check(d, version); err != nil {
		return nil, err
	}
	f := &Filler{Minter: s.minter, Signaler: Signaler{URLs: keydelivery.URLs{Base: s.KeyDeliveryBase, Account: acct.ID}}, Rand: s.Rand}
	if err := f.Fill(ctx, acct, d); err != nil {
		return nil, err
	}
	out, err := d.Marshal()
	if err != nil {
		return nil, err
	}
	s.Log.InfoContext(ctx, "speke keys served", "account", acct.ID, "keys", len(d.ContentKeys), "encrypted", len(d.DeliveryData) > 0)
	return out, nil
}

// authenticate accepts an API key (X-Api-Key) or a bearer token.
func (s *Server) authenticate(r *http.Request) (keyexchange.Account, error) {
	ctx := r.Context()
	if key := r.Header.Get(keyexchange.APIKeyHeader); key != "" {
		acct, err := keyexchange.LookupAccount(ctx, s.Store, r.PathValue("msid"))
		if errors.Is(err, keyexchange.ErrAccountNotFound) {
			// The same answer as a wrong key: an API key must not reveal
			// which accounts exist.
			return acct, &Error{Status: http.StatusUnauthorized, Message: "Invalid API key.", Err: err}
		}
		if err != nil {
			return acct, err
		}
		if err := s.Creds.VerifyAPIKey(ctx, acct, key); err != nil {
			if errors.Is(err, keyexchange.ErrBadCredential) {
				return acct, &Error{Status: http.StatusUnauthorized, Message: "Invalid API key.", Err: err}
			}
			return acct, err
		}
		return acct, nil
	}
	acct, err := keyexchange.AuthorizeBearer(ctx, s.Store, s.Auth, r)
	if err != nil {
		if status, _, msg, cause, ok := keyexchange.StatusAndMessage(err); ok {
			return acct, &Error{Status: status, Message: msg, Err: cause}
		}
		return acct, err
	}
	return acct, nil
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	if !errors.As(err, &e) {
		s.Log.ErrorContext(r.Context(), "speke request failed", "err", err)
		e = &Error{Status: http.StatusInternalServerError, Message: "The key provider failed; see its log."}
	}
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", auth.Challenge(auth.DefaultRealm, e.Err))
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(e.Status)
	_, _ = io.WriteString(w, e.Message+"\n")
}
