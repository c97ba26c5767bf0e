package speke

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/lockstream/lockstream/internal/cpix"
	"github.com/lockstream/lockstream/internal/drm"
	"github.com/lockstream/lockstream/internal/keyexchange"
	"github.com/lockstream/lockstream/internal/keys"
)

// Versions maps a SPEKE version (X-Speke-Version) to its CPIX version.
var Versions = map[string]string{"2.0": cpix.Version23, "2.1": cpix.Version24}

var schemes = map[string]bool{"cenc": true, "cbcs": true, "cens": true, "cbc1": true}

// MaxKeys caps the keys of one request: a live channel rotating keys asks
// for a few dozen at a time, and every key is a row written in the
// request's transaction.
const MaxKeys = 1000

// trackTypeAll is the SPEKE intendedTrackType that shares one key across
// every track; it excludes any other usage rule.
const trackTypeAll = "ALL"

// Check applies the SPEKE v2 profile to a parsed request.
func Check(d *cpix.Document, spekeVersion string) error {
	if d.ContentID == "" {
		return unprocessable(msgMissingContentID)
	}
	if d.Version == "" {
		return unprocessable(msgMissingVersion)
	}
	if Versions[spekeVersion] != d.Version {
		return unprocessable(msgUnsupportedVersion)
	}
	if len(d.ContentKeys) == 0 {
		return unprocessable("Missing ContentKeyList/ContentKey")
	}
	if len(d.ContentKeys) > MaxKeys {
		return unprocessable("Too many ContentKey elements: %d, the limit is %d per request", len(d.ContentKeys), MaxKeys)
	}
	var scheme string
	for _, ck := range d.ContentKeys {
		if ck.CommonEncryptionScheme == "" {
			return unprocessable("Missing ContentKey@commonEncryptionScheme for KID %s", ck.KID)
		}
		if !schemes[ck.CommonEncryptionScheme] {
			return unprocessable("Unsupported ContentKey@commonEncryptionScheme %q for KID %s", ck.CommonEncryptionScheme, ck.KID)
		}
		if scheme != "" && ck.CommonEncryptionScheme != scheme {
			return unprocessable(msgSchemeCombination)
		}
		scheme = ck.CommonEncryptionScheme
		if ck.Value != nil || ck.Encrypted != nil {
			return unprocessable("ContentKey %s carries a value; the key provider chooses content keys", ck.KID)
		}
		if ck.ContentID != "" && ck.ContentID != d.ContentID {
			return unprocessable("ContentKey@contentId of KID %s differs from CPIX@contentId", ck.KID)
		}
	}
	for _, s := range d.DRMSystems {
		ck := d.Key(s.KID)
		if ck == nil {
			return unprocessable("DRMSystem KID %s is not in the ContentKeyList", s.KID)
		}
		if !Supported(s.SystemID) {
			return unprocessable("Unsupported DRMSystem@systemId %s", s.SystemID)
		}
		if s.SystemID == drm.FairPlay && ck.CommonEncryptionScheme != "cbcs" {
			return unprocessable("FairPlay DRMSystem for KID %s needs ContentKey@commonEncryptionScheme cbcs", s.KID)
		}
		if s.PSSH.Present && len(s.PSSH.Value) > 0 || s.ContentProtectionData.Present && len(s.ContentProtectionData.Value) > 0 {
			return unprocessable("DRMSystem %s for KID %s already carries signalling; send empty elements to request it", s.SystemID, s.KID)
		}
	}
	// Recipients are checked before any key is minted, so a request that
	// cannot be answered leaves nothing behind.
	for _, dd := range d.DeliveryData {
		if _, err := cpix.RecipientKey(dd.Certificate); err != nil {
			return unprocessable("%s", err.Error())
		}
	}
	periods := map[string]bool{}
	for _, p := range d.Periods {
		if p.ID == "" {
			return unprocessable("Missing ContentKeyPeriod@id")
		}
		if p.Index == nil {
			return unprocessable("Missing ContentKeyPeriod@index for period %s", p.ID)
		}
		periods[p.ID] = true
	}
	var all, other bool
	for _, r := range d.UsageRules {
		if d.Key(r.KID) == nil {
			return unprocessable("ContentKeyUsageRule KID %s is not in the ContentKeyList", r.KID)
		}
		if r.IntendedTrackType == "" {
			return unprocessable("Missing ContentKeyUsageRule@intendedTrackType for KID %s", r.KID)
		}
		if len(r.VideoFilters) == 0 && len(r.AudioFilters) == 0 {
			return unprocessable("ContentKeyUsageRule for KID %s needs a VideoFilter or an AudioFilter", r.KID)
		}
		if r.IntendedTrackType == trackTypeAll {
			all = true
		} else {
			other = true
		}
		for _, f := range r.KeyPeriodFilters {
			if !periods[f] {
				return unprocessable("KeyPeriodFilter@periodId %s names no ContentKeyPeriod", f)
			}
		}
	}
	if all && other {
		return unprocessable("A ContentKeyUsageRule with intendedTrackType ALL excludes every other usage rule")
	}
	return nil
}

// Filler answers SPEKE requests of one account.
type Filler struct {
	Minter   *keyexchange.Minter
	Signaler Signaler
	Rand     io.Reader
}

// Fill sets the key of every ContentKey (minting new ones), fills the
// requested DRM signalling and, when the request names recipients,
// encrypts the keys to them. d must have passed Check.
func (f *Filler) Fill(ctx context.Context, acct keyexchange.Account, d *cpix.Document) error {
	reqs := make([]keyexchange.Request, len(d.ContentKeys))
	for i, ck := range d.ContentKeys {
		reqs[i] = keyexchange.Request{KID: ck.KID, Scheme: ck.CommonEncryptionScheme}
	}
	minted, err := f.Minter.Keys(ctx, acct, d.ContentID, reqs)
	if errors.Is(err, keyexchange.ErrKIDTaken) {
		return unprocessable("%s", strings.TrimPrefix(err.Error(), "keyexchange: "))
	}
	if err != nil {
		return fmt.Errorf("content keys: %w", err)
	}
	vals := map[keys.KID]keys.Key{}
	for i, m := range minted {
		k := m.Key
		d.ContentKeys[i].Value = &k
		vals[m.KID] = m.Key
	}
	for i := range d.DRMSystems {
		s := &d.DRMSystems[i]
		ck := d.Key(s.KID)
		if err := f.Signaler.Fill(s, keyInfo{KID: s.KID, Key: vals[s.KID], Scheme: ck.CommonEncryptionScheme}); err != nil {
			return fmt.Errorf("signal %s for %s: %w", s.SystemID, s.KID, err)
		}
	}
	if len(d.DeliveryData) > 0 {
		if err := d.Encrypt(f.Rand); err != nil {
			if errors.Is(err, cpix.ErrInvalid) {
				return unprocessable("%s", err.Error())
			}
			return fmt.Errorf("encrypt keys: %w", err)
		}
	}
	return nil
}
