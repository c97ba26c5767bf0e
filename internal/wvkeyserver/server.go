package wvkeyserver

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/lockstream/lockstream/internal/drm/widevine"
	"github.com/lockstream/lockstream/internal/keyexchange"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/store"
)

// Path is the route on the API listener.
const Path = "/keyexchange/{msid}/widevine/getcontentkey"

// Limits: a request names a handful of tracks and periods.
const (
	maxBody    = 64 << 10
	maxTracks  = 16
	maxPeriods = 100
	maxKeys    = 500
)

// Response statuses (CommonEncryptionResponse.Status names).
const (
	statusOK                = "OK"
	statusSignatureFailed   = "SIGNATURE_FAILED"
	statusContentIDMissing  = "CONTENT_ID_MISSING"
	statusTrackTypeMissing  = "TRACK_TYPE_MISSING"
	statusTrackTypeUnknown  = "TRACK_TYPE_UNKNOWN"
	statusMalformedRequest  = "MALFORMED_REQUEST"
	statusInternalError     = "INTERNAL_ERROR"
	statusNoRequestedPeriod = "NO_REQUESTED_CRYPTO_PERIODS"
	statusInvalidPSSH       = "INVALID_WIDEVINE_PSSH"
	statusKeyIDMismatch     = "KEY_ID_MISMATCH"
)

var trackTypes = map[string]bool{"SD": true, "HD": true, "UHD1": true, "UHD2": true, "AUDIO": true}

// Server is the key server.
type Server struct {
	Store  store.Store
	Sealer keys.Sealer
	Creds  *keyexchange.Credentials
	Log    *slog.Logger
	Rand   io.Reader

	minter *keyexchange.Minter
}

// Initialize checks the configuration.
func (s *Server) Initialize() error {
	if s.Store == nil || s.Sealer == nil || s.Creds == nil {
		return errors.New("wvkeyserver: Store, Sealer and Creds are required")
	}
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	s.minter = &keyexchange.Minter{Store: s.Store, Sealer: s.Sealer, Rand: s.Rand}
	return nil
}

// Close releases nothing.
func (s *Server) Close() error { return nil }

// Register adds the route to mux.
func (s *Server) Register(mux *http.ServeMux) { mux.HandleFunc("POST "+Path, s.ServeHTTP) }

type signedRequest struct {
	Request   []byte `json:"request"`
	Signature []byte `json:"signature"`
	Signer    string `json:"signer"`
}

// enumOrNumber reads a proto-JSON enum, which may be its name or number.
type enumOrNumber string

func (e *enumOrNumber) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*e = enumOrNumber(s)
		return nil
	}
	var n uint32
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("enum is neither a name nor a number")
	}
	*e = enumOrNumber(strconv.FormatUint(uint64(n), 10))
	return nil
}

type request struct {
	ContentID []byte `json:"content_id"`
	Policy    string `json:"policy"`
	Tracks    []struct {
		Type string `json:"type"`
	} `json:"tracks"`
	DRMTypes               []enumOrNumber `json:"drm_types"`
	FirstCryptoPeriodIndex *uint32        `json:"first_crypto_period_index"`
	CryptoPeriodCount      *uint32        `json:"crypto_period_count"`
	CryptoPeriodSeconds    uint32         `json:"crypto_period_seconds"`
	PsshData               []byte         `json:"pssh_data"`
	ProtectionScheme       enumOrNumber   `json:"protection_scheme"`
}

type pssh struct {
	DRMType string `json:"drm_type"`
	Data    []byte `json:"data"`
	Boxes   []byte `json:"boxes,omitempty"`
}

type track struct {
	Type              string  `json:"type"`
	KeyID             []byte  `json:"key_id"`
	Key               []byte  `json:"key"`
	PSSH              []pssh  `json:"pssh"`
	CryptoPeriodIndex *uint32 `json:"crypto_period_index,omitempty"`
}

type response struct {
	Status    string  `json:"status"`
	Tracks    []track `json:"tracks,omitempty"`
	ContentID []byte  `json:"content_id,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// answer writes the signed-response envelope around r.
func answer(w http.ResponseWriter, r response) {
	inner, _ := json.Marshal(r)
	writeJSON(w, http.StatusOK, map[string][]byte{"response": inner})
}

// ServeHTTP answers one key request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	acct, err := keyexchange.LookupAccount(ctx, s.Store, r.PathValue("msid"))
	if err != nil {
		status := keyexchange.StatusOf(err)
		if status == http.StatusInternalServerError {
			s.Log.ErrorContext(ctx, "widevine key server", "err", err)
		}
		keyexchange.WriteARMError(w, status, map[int]string{404: "ResourceNotFound", 500: "InternalError"}[status], "No account has this media service id.")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		keyexchange.WriteARMError(w, http.StatusRequestEntityTooLarge, "RequestTooLarge", "The request body is too large.")
		return
	}
	var sr signedRequest
	if err := json.Unmarshal(body, &sr); err != nil || len(sr.Request) == 0 {
		keyexchange.WriteARMError(w, http.StatusBadRequest, "BadRequest", `The body is not {"request":…,"signature":…,"signer":…}.`)
		return
	}
	if err := s.verify(r, acct, sr); err != nil {
		if !errors.Is(err, keyexchange.ErrBadCredential) {
			s.Log.ErrorContext(ctx, "widevine key server: signer", "err", err)
			answer(w, response{Status: statusInternalError})
			return
		}
		s.Log.WarnContext(ctx, "widevine key server: signature refused", "account", acct.ID, "signer", sr.Signer)
		answer(w, response{Status: statusSignatureFailed})
		return
	}
	resp, err := s.keys(r, acct, sr)
	if err != nil {
		s.Log.ErrorContext(ctx, "widevine key server", "err", err)
		answer(w, response{Status: statusInternalError})
		return
	}
	answer(w, resp)
}

// verify checks the AES signature: AES-256-CBC(signer key, signer IV,
// SHA-1(request)), PKCS#5-padded or zero-padded to 32 bytes.
func (s *Server) verify(r *http.Request, acct keyexchange.Account, sr signedRequest) error {
	if sr.Signer == "" || len(sr.Signature) != 32 {
		return keyexchange.ErrBadCredential
	}
	signer, err := s.Creds.Signer(r.Context(), acct, sr.Signer)
	if err != nil {
		return err
	}
	digest := sha1.Sum(sr.Request)
	ok := 0
	for _, pad := range []byte{12, 0} {
		plain := append(digest[:], bytes.Repeat([]byte{pad}, 12)...)
		if want := Sign(signer, plain); subtle.ConstantTimeCompare(want, sr.Signature) == 1 {
			ok = 1
		}
	}
	if ok != 1 {
		return keyexchange.ErrBadCredential
	}
	return nil
}

// Sign encrypts a padded digest with the signer's key and IV.
func Sign(signer keyexchange.Signer, padded []byte) []byte {
	block, _ := aes.NewCipher(signer.Key[:])
	out := make([]byte, len(padded))
	cipher.NewCBCEncrypter(block, signer.IV[:]).CryptBlocks(out, padded)
	return out
}

func schemeOf(e enumOrNumber) (string, bool) {
	switch e {
	case "", "UNSPECIFIED", "0", "CENC", "1667591779":
		return widevine.SchemeCENC, true
	case "CBCS", "1667392371":
		return widevine.SchemeCBCS, true
	case "CBC1", "1667392305":
		return widevine.SchemeCBC1, true
	case "CENS", "1667591795":
		return widevine.SchemeCENS, true
	}
	return "", false
}

func (s *Server) keys(r *http.Request, acct keyexchange.Account, sr signedRequest) (response, error) {
	var rq request
	if err := json.Unmarshal(sr.Request, &rq); err != nil {
		return response{Status: statusMalformedRequest}, nil
	}
	if len(rq.ContentID) == 0 && len(rq.PsshData) > 0 {
		// A packager decrypting (or re-packaging) content asks with the
		// content's PSSH data: its content id names the same keys; bare
		// key ids are looked up, never minted.
		pd, err := widevine.UnmarshalPsshData(rq.PsshData)
		if err != nil {
			return response{Status: statusInvalidPSSH}, nil
		}
		if len(pd.ContentID) == 0 {
			return s.byKeyIDs(r, acct, pd)
		}
		rq.ContentID = pd.ContentID
	}
	if len(rq.ContentID) == 0 {
		return response{Status: statusContentIDMissing}, nil
	}
	if len(rq.Tracks) == 0 {
		return response{Status: statusTrackTypeMissing}, nil
	}
	if len(rq.Tracks) > maxTracks {
		return response{Status: statusMalformedRequest}, nil
	}
	for _, d := range rq.DRMTypes {
		if d != "WIDEVINE" && d != "0" {
			return response{Status: statusMalformedRequest}, nil
		}
	}
	scheme, ok := schemeOf(rq.ProtectionScheme)
	if !ok {
		return response{Status: statusMalformedRequest}, nil
	}
	for _, t := range rq.Tracks {
		if !trackTypes[t.Type] {
			return response{Status: statusTrackTypeUnknown}, nil
		}
	}
	rotating := rq.CryptoPeriodCount != nil || rq.FirstCryptoPeriodIndex != nil
	first, count := uint32(0), uint32(1)
	if rotating {
		if rq.FirstCryptoPeriodIndex == nil || rq.CryptoPeriodCount == nil || *rq.CryptoPeriodCount == 0 {
			return response{Status: statusNoRequestedPeriod}, nil
		}
		first, count = *rq.FirstCryptoPeriodIndex, *rq.CryptoPeriodCount
		if count > maxPeriods || int(count)*len(rq.Tracks) > maxKeys || first > ^uint32(0)-count {
			return response{Status: statusMalformedRequest}, nil
		}
	}
	contentID := "widevine:" + hex.EncodeToString(rq.ContentID)
	wvScheme := scheme
	if wvScheme == widevine.SchemeCENC {
		wvScheme = ""
	}
	resp := response{Status: statusOK, ContentID: rq.ContentID}
	for p := first; p < first+count; p++ {
		for _, t := range rq.Tracks {
			label := t.Type
			if rotating {
				label += ":" + strconv.FormatUint(uint64(p), 10)
			}
			mk, err := s.minter.Labelled(r.Context(), acct, contentID, label, scheme)
			if err != nil {
				return response{}, fmt.Errorf("key for %s: %w", label, err)
			}
			pd := widevine.PsshData{KeyIDs: []keys.KID{mk.KID}, ContentID: rq.ContentID, Policy: rq.Policy, ProtectionScheme: wvScheme}
			data, err := pd.Marshal()
			if err != nil {
				return response{}, fmt.Errorf("pssh data: %w", err)
			}
			ps, err := pd.PSSH()
			if err != nil {
				return response{}, fmt.Errorf("pssh: %w", err)
			}
			box, err := ps.Marshal()
			if err != nil {
				return response{}, fmt.Errorf("pssh box: %w", err)
			}
			tr := track{Type: t.Type, KeyID: mk.KID[:], Key: mk.Key[:], PSSH: []pssh{{DRMType: "WIDEVINE", Data: data, Boxes: box}}}
			if rotating {
				idx := p
				tr.CryptoPeriodIndex = &idx
			}
			resp.Tracks = append(resp.Tracks, tr)
		}
	}
	s.Log.InfoContext(r.Context(), "widevine keys served", "account", acct.ID, "tracks", len(resp.Tracks))
	return resp, nil
}

// byKeyIDs answers a PSSH-data request that names key ids only: each
// must be a key of the account; the track type is the one it was minted
// for (SD when it came from SPEKE).
func (s *Server) byKeyIDs(r *http.Request, acct keyexchange.Account, pd widevine.PsshData) (response, error) {
	if len(pd.KeyIDs) == 0 || len(pd.KeyIDs) > maxTracks {
		return response{Status: statusInvalidPSSH}, nil
	}
	resp := response{Status: statusOK}
	seen := map[string]bool{}
	for _, kid := range pd.KeyIDs {
		k, err := s.Store.CPIXKey(r.Context(), acct.Path, kid.String())
		if errors.Is(err, store.ErrNotFound) {
			return response{Status: statusKeyIDMismatch}, nil
		}
		if err != nil {
			return response{}, fmt.Errorf("key %s: %w", kid, err)
		}
		v, err := keyexchange.Lookup(r.Context(), s.Store, s.Sealer, acct.Path, kid)
		if err != nil {
			return response{}, fmt.Errorf("key %s: %w", kid, err)
		}
		typ, _, _ := strings.Cut(k.Label, ":")
		if !trackTypes[typ] || seen[typ] {
			typ = "SD"
		}
		if seen[typ] {
			// Track types key the packager's map; two keys of one type
			// cannot be told apart.
			return response{Status: statusMalformedRequest}, nil
		}
		seen[typ] = true
		data, err := widevine.PsshData{KeyIDs: []keys.KID{kid}}.Marshal()
		if err != nil {
			return response{}, fmt.Errorf("pssh data: %w", err)
		}
		resp.Tracks = append(resp.Tracks, track{Type: typ, KeyID: kid[:], Key: v[:], PSSH: []pssh{{DRMType: "WIDEVINE", Data: data}}})
	}
	return resp, nil
}

// Envelope builds a signed request body, for clients and tests.
func Envelope(signerName string, signer keyexchange.Signer, request []byte) []byte {
	digest := sha1.Sum(request)
	padded := append(digest[:], bytes.Repeat([]byte{12}, 12)...)
	b, _ := json.Marshal(signedRequest{Request: request, Signature: Sign(signer, padded), Signer: signerName})
	return b
}

// DecodeResponse unwraps a response envelope (for clients and tests).
func DecodeResponse(b []byte) (status string, tracks []Track, err error) {
	var env struct {
		Response []byte `json:"response"`
	}
	if err := json.Unmarshal(b, &env); err != nil {
		return "", nil, fmt.Errorf("decode envelope: %w", err)
	}
	var r response
	if err := json.Unmarshal(env.Response, &r); err != nil {
		return "", nil, fmt.Errorf("decode response: %w", err)
	}
	for _, t := range r.Tracks {
		out := Track{Type: t.Type, PeriodIndex: t.CryptoPeriodIndex}
		if len(t.KeyID) != 16 || len(t.Key) != 16 || len(t.PSSH) != 1 {
			return r.Status, nil, fmt.Errorf("track %s: bad key id, key or pssh", t.Type)
		}
		out.KID, out.Key, out.PsshData = keys.KID(t.KeyID), keys.Key(t.Key), t.PSSH[0].Data
		tracks = append(tracks, out)
	}
	return r.Status, tracks, nil
}

// Track is one decoded response track.
type Track struct {
	Type        string
	PeriodIndex *uint32
	KID         keys.KID
	Key         keys.Key
	PsshData    []byte
}
