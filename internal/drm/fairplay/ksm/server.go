package ksm

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"time"

	"github.com/lockstream/lockstream/internal/cenc"
	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/drm/fairplay"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/license"
)

// Defaults of Server.
const (
	DefaultReplayWindow = 10 * time.Minute
	defaultReplayMax    = 100_000
)

// Error codes of refusals.
const (
	CodeInvalidSPC  = "InvalidSPC"
	CodeCredentials = "FairPlayCredentialsUnusable"
	CodeReplay      = "SPCReplayed"
)

// Server is the key server: it turns an SPC into a CKC for a key that
// key delivery already granted. Set the fields, call Initialize, serve.
type Server struct {
	// Deriver computes DASk (Helper in production).
	Deriver Deriver
	// Persistent reports whether the locator of a key allows persistent
	// (offline) FairPlay licenses (the streaming policy's
	// allowPersistentLicense). Nil allows them.
	Persistent func(ctx context.Context, req license.Request, key license.Key) (bool, error)
	// ReplayWindow is how long an answered SPC is remembered; default
	// DefaultReplayWindow.
	ReplayWindow time.Duration
	// Rand supplies IVs and padding; default crypto/rand.
	Rand io.Reader
	// Log gets issued CKCs at debug level (never keys). Nil discards.
	Log *slog.Logger

	creds  credCache
	replay replayCache
}

// Initialize checks the configuration.
func (s *Server) Initialize() error {
	if s.Deriver == nil {
		return errors.New("ksm: Deriver is required")
	}
	if s.ReplayWindow <= 0 {
		s.ReplayWindow = DefaultReplayWindow
	}
	if s.Rand == nil {
		s.Rand = rand.Reader
	}
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	s.replay.init(s.ReplayWindow, defaultReplayMax)
	return nil
}

func bad(public, reason string, err error) *license.Error {
	return license.Errorf(http.StatusBadRequest, CodeInvalidSPC, public, reason, err)
}

// License answers a FairPlay request: the application certificate, or a
// CKC for the one granted key.
func (s *Server) License(ctx context.Context, req license.Request) (license.Response, error) {
	if len(req.Keys) != 1 {
		return license.Response{}, fmt.Errorf("ksm: %d keys granted, want one", len(req.Keys))
	}
	k := req.Keys[0]
	cfg, ok := k.Option.Configuration.(*defs.ContentKeyPolicyFairPlayConfiguration)
	if !ok || cfg == nil {
		return license.Response{}, fmt.Errorf("ksm: option %q is not a FairPlay configuration", k.Option.Name)
	}
	cr, err := s.creds.get(cfg)
	if err != nil {
		return license.Response{}, license.Errorf(http.StatusInternalServerError, CodeCredentials,
			"The FairPlay credentials of the content key policy cannot be used; the operator must fix them.",
			fmt.Sprintf("policy %q option %q", k.PolicyName, k.Option.Name), err)
	}
	if req.Certificate {
		return license.Response{Header: http.Header{"Content-Type": {"application/pkix-cert"}}, Body: cr.Cert}, nil
	}
	ckc, form, what, err := s.ckc(ctx, req, k, cfg, cr)
	if err != nil {
		return license.Response{}, err
	}
	body, ct := encodeCKC(ckc, form)
	s.Log.DebugContext(ctx, "fairplay ckc issued", slog.String("kid", k.KID.String()), slog.String("duration", what))
	return license.Response{Header: http.Header{"Content-Type": {ct}}, Body: body}, nil
}

func (s *Server) ckc(ctx context.Context, req license.Request, k license.Key, cfg *defs.ContentKeyPolicyFairPlayConfiguration, cr *Credentials) ([]byte, wireForm, string, error) {
	raw, form, err := decodeWire(req.Challenge, req.Header.Get("Content-Type"))
	if err != nil {
		return nil, 0, "", bad("The body carries no SPC (spc=<base64> form, JSON {\"spc\":…}, base64 or binary).", "decode body", err)
	}
	c, err := ParseContainer(raw)
	switch {
	case errors.Is(err, ErrTooLarge):
		return nil, 0, "", license.Errorf(http.StatusRequestEntityTooLarge, license.CodeTooLarge, "The SPC is too large.", "spc size", err)
	case errors.Is(err, ErrVersion):
		return nil, 0, "", bad("The SPC version is not supported by this key server (versions 1 and 2 are).", "spc version", err)
	case err != nil:
		return nil, 0, "", bad("The SPC is malformed.", "spc container", err)
	}
	if subtleEqual(c.CertHash[:], cr.CertHash[:]) != 1 {
		return nil, 0, "", bad("The SPC was made for another FairPlay certificate than this content key policy's.", "certificate hash mismatch", ErrCertificate)
	}
	plain, err := c.Open(cr.Key)
	if err != nil {
		return nil, 0, "", bad("The SPC cannot be decrypted with this content key policy's FairPlay key.", "open spc", err)
	}
	defer clear(plain)
	d, err := ParseData(plain)
	if err != nil {
		return nil, 0, "", bad("The SPC payload is malformed.", "spc payload", err)
	}
	kid, err := assetKID(d.AssetID)
	if err != nil {
		return nil, 0, "", bad("The SPC's asset id names no key id (use the skd:// URI, or the key id).", "asset id", err)
	}
	if kid != k.KID {
		return nil, 0, "", license.Errorf(http.StatusForbidden, license.CodeForbidden,
			"The SPC asks for another key than the kid of this license URL.", "asset id names key "+kid.String(), nil)
	}
	dask, err := s.Deriver.DASk(ctx, cr.ASk, d.R2)
	if err != nil {
		return nil, 0, "", license.Errorf(http.StatusServiceUnavailable, license.CodeUnavailable,
			"The FairPlay key server cannot derive keys right now.", "derive DASk", err)
	}
	sess, err := d.OpenSession(dask)
	clear(dask[:])
	if err != nil {
		return nil, 0, "", bad("The SPC failed its integrity check.", "open [SK..R1]", err)
	}
	defer clear(sess.SK[:])
	if !s.replay.add(req.Now, d.AntiReplay, d.SKR1) {
		return nil, 0, "", license.Errorf(http.StatusConflict, CodeReplay, "This SPC was already answered; send a fresh one.", "spc replayed", nil)
	}
	persist := true
	if s.Persistent != nil {
		if persist, err = s.Persistent(ctx, req, k); err != nil {
			return nil, 0, "", err
		}
	}
	ck := CKC{Data: d, Session: sess, ContentKey: k.Key, ContentIV: cenc.DeriveConstantIV(k.KID), Duration: DurationFor(cfg, persist, k.KID)}
	out, what, err := ck.Build(s.Rand)
	clear(ck.ContentKey[:])
	if err != nil {
		return nil, 0, "", err
	}
	return out, form, what, nil
}

// assetKID reads the key id an SPC's asset id names: an skd:// URI (AMS
// form, or skd://<kid>), a key id (UUID or 32 hex digits), or the 16 raw
// key id bytes.
func assetKID(id []byte) (keys.KID, error) {
	s := string(id)
	if _, kid, err := fairplay.ParseSKDURI(s); err == nil {
		return kid, nil
	}
	if kid, err := keys.ParseKID(s); err == nil {
		return kid, nil
	}
	if _, kid, err := fairplay.ParseSKDURI("skd://" + s); err == nil {
		return kid, nil // "host/FairPlay/?kid=…" or a bare hex kid
	}
	if len(id) == 16 {
		var kid keys.KID
		copy(kid[:], id)
		return kid, nil
	}
	return keys.KID{}, fmt.Errorf("asset id of %d bytes is neither an skd URI nor a key id", len(id))
}

// DurationFor maps an AMS FairPlay configuration to the CKC's duration:
//
//   - Undefined: a streaming key; with rentalDuration > 0 a rental of
//     that many seconds.
//   - PersistentUnlimited: persistable without limit.
//   - PersistentLimited: persistable, limited to rentalDuration.
//   - DualExpiry: the offline key TLLV (storage and playback durations of
//     offlineRentalConfiguration) for clients that report the capability;
//     others get a persistable key limited to the shorter of the two.
//
// When the locator's streaming policy does not allow persistent licenses
// (persist false) a persistable type becomes a rental of the same limit
// (or a streaming key when unlimited): the license never grants more than
// both policies allow.
func DurationFor(cfg *defs.ContentKeyPolicyFairPlayConfiguration, persist bool, kid keys.KID) Duration {
	rental := u32(cfg.RentalDuration)
	switch cfg.RentalAndLeaseKeyType {
	case defs.ContentKeyPolicyFairPlayRentalAndLeaseKeyTypePersistentUnlimited:
		if persist {
			return Duration{KeyType: KeyTypePersistence, Lease: NoLease}
		}
	case defs.ContentKeyPolicyFairPlayRentalAndLeaseKeyTypePersistentLimited:
		if persist {
			return Duration{KeyType: KeyTypePersistenceAndDuration, Lease: NoLease, Rental: rental}
		}
		if rental > 0 {
			return Duration{KeyType: KeyTypeRental, Lease: NoLease, Rental: rental}
		}
	case defs.ContentKeyPolicyFairPlayRentalAndLeaseKeyTypeDualExpiry:
		var storage, playback uint32
		if o := cfg.OfflineRentalConfiguration; o != nil {
			storage, playback = u32(o.StorageDurationSeconds), u32(o.PlaybackDurationSeconds)
		}
		short := storage
		if playback != 0 && (short == 0 || playback < short) {
			short = playback
		}
		if !persist {
			return Duration{KeyType: KeyTypeRental, Lease: NoLease, Rental: short}
		}
		d := Duration{KeyType: KeyTypePersistenceAndDuration, Lease: NoLease, Rental: short,
			Offline: &Offline{Storage: storage, Playback: playback}}
		copy(d.Offline.ContentID[:], kid[:])
		return d
	default:
		if rental > 0 {
			return Duration{KeyType: KeyTypeRental, Lease: NoLease, Rental: rental}
		}
	}
	return Duration{}
}

func u32(p *int64) uint32 {
	switch {
	case p == nil || *p <= 0:
		return 0
	case *p > math.MaxUint32-1:
		return math.MaxUint32 - 1
	}
	return uint32(*p)
}
