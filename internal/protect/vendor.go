package protect

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/lockstream/lockstream/internal/cenc"
	"github.com/lockstream/lockstream/internal/drm"
	"github.com/lockstream/lockstream/internal/packager/dash"
	"github.com/lockstream/lockstream/internal/packager/hls"
	"github.com/lockstream/lockstream/internal/packager/smooth"
	"github.com/lockstream/lockstream/internal/streamurl"
)

// VendorSystem is one DRM system's signalling for one content key as a
// key provider (a CPIX/SPEKE vendor) returned it, already checked by the
// provider client: the PSSH box parses with this system id, the
// ContentProtection XML is a well-formed fragment without DTDs, the HLS
// key tag's attributes parsed.
type VendorSystem struct {
	SystemID drm.SystemID
	// PSSH is the whole pssh box.
	PSSH []byte
	// ContentProtection is the XML inside the system's DASH
	// ContentProtection element (cenc:pssh, mspr:pro, a license URL).
	ContentProtection string
	// HLS is the system's EXT-X-KEY tag (EXT-X-SESSION-KEY in master
	// playlists carries the same attributes).
	HLS *hls.Key
	// SmoothHeader is the base64 PlayReady Object of the Smooth
	// manifest's ProtectionHeader.
	SmoothHeader string
}

// VendorSignal is a content key's signalling from its key provider, one
// entry per DRM system, in the order the provider answered.
type VendorSignal struct {
	Provider string
	Systems  []VendorSystem
}

// PreferVendor is the Layer.Signaller of a node whose locators may carry
// key-provider signalling: the provider's data for the locators whose
// keys came with it, nil (the built-in PolicySignaller) otherwise.
func PreferVendor(urls func(*Locator) URLs) func(l *Locator, e streamurl.Encryption) Signaller {
	return func(l *Locator, e streamurl.Encryption) Signaller {
		typ := KeyTypeOf(e)
		for i := range l.Keys {
			if l.Keys[i].Type == typ && l.Keys[i].Vendor != nil {
				return &vendorSignaller{fallback: PolicySignaller(l, e, urls(l)), scheme: e}
			}
		}
		return nil
	}
}

// vendorSignaller writes the provider's signalling for keys that came
// with it and the built-in signalling for any other key (one a provider
// returned without DRM data, such as an AES-128 envelope key): a key is
// never left unsignalled, and media is encrypted either way.
type vendorSignaller struct {
	fallback Signaller
	scheme   streamurl.Encryption
}

func (v *vendorSignaller) cencScheme() string {
	if v.scheme == streamurl.EncCBCS {
		return "cbcs"
	}
	return "cenc"
}

// PSSH implements Signaller.
func (v *vendorSignaller) PSSH(k *ContentKey) ([]*mp4.PsshBox, error) {
	if k.Vendor == nil {
		return v.fallback.PSSH(k)
	}
	var out []*mp4.PsshBox
	for _, s := range k.Vendor.Systems {
		if len(s.PSSH) == 0 {
			continue
		}
		p, err := drm.ParsePSSH(s.PSSH)
		if err != nil {
			return nil, fmt.Errorf("key provider %s pssh of %s: %w", k.Vendor.Provider, s.SystemID, err)
		}
		b, err := p.Box()
		if err != nil {
			return nil, fmt.Errorf("key provider %s pssh of %s: %w", k.Vendor.Provider, s.SystemID, err)
		}
		out = append(out, b)
	}
	return out, nil
}

// HLSKeys implements Signaller. MPEG-TS SAMPLE-AES carries FairPlay
// only (as the built-in signalling does); CMAF carries every system.
func (v *vendorSignaller) HLSKeys(ks []*ContentKey, f streamurl.Format) ([]hls.Key, error) {
	var out []hls.Key
	for _, k := range ks {
		if k.Vendor == nil {
			tags, err := v.fallback.HLSKeys([]*ContentKey{k}, f)
			if err != nil {
				return nil, err
			}
			out = append(out, tags...)
			continue
		}
		for _, s := range k.Vendor.Systems {
			if s.HLS == nil {
				continue
			}
			if f != streamurl.FormatHLSCMAF && s.SystemID != drm.FairPlay {
				continue
			}
			tag := *s.HLS
			if f != streamurl.FormatHLSCMAF {
				// TS SAMPLE-AES carries no tenc: the constant IV travels
				// in the tag, and it is Lockstream's (the encryptor's),
				// which the vendor cannot know.
				iv := cenc.DeriveConstantIV(k.KID)
				tag.IV = "0x" + hex.EncodeToString(iv[:])
			}
			out = append(out, tag)
		}
	}
	return out, nil
}

// DASH implements Signaller: the mp4protection descriptor naming the
// key, then one ContentProtection per system with the provider's XML.
func (v *vendorSignaller) DASH(k *ContentKey) ([]dash.ContentProtection, error) {
	if k.Vendor == nil {
		return v.fallback.DASH(k)
	}
	out := []dash.ContentProtection{{SchemeIDURI: "urn:mpeg:dash:mp4protection:2011", Value: v.cencScheme(), DefaultKID: k.KID.String()}}
	for _, s := range k.Vendor.Systems {
		cp := dash.ContentProtection{SchemeIDURI: s.SystemID.URN(), Value: systemValue(s.SystemID)}
		switch {
		case s.ContentProtection != "":
			cp.Inner = s.ContentProtection
		case len(s.PSSH) > 0:
			cp.Pssh = base64.StdEncoding.EncodeToString(s.PSSH)
		default:
			continue // FairPlay: HLS only
		}
		out = append(out, cp)
	}
	return out, nil
}

// systemValue is the ContentProtection@value players expect for the
// well-known systems.
func systemValue(id drm.SystemID) string {
	switch id {
	case drm.Widevine:
		return "Widevine"
	case drm.PlayReady:
		return "MSPR 2.0"
	case drm.ClearKeyDASH:
		return "ClearKey1.0"
	}
	return ""
}

// Smooth implements Signaller: the provider's PlayReady header.
func (v *vendorSignaller) Smooth(ks []*ContentKey) (*smooth.Protection, error) {
	for _, k := range ks {
		if k.Vendor == nil {
			continue
		}
		for _, s := range k.Vendor.Systems {
			if s.SystemID == drm.PlayReady && s.SmoothHeader != "" {
				return &smooth.Protection{Headers: []smooth.ProtectionHeader{{SystemID: strings.ToUpper(drm.PlayReady.String()), Data: s.SmoothHeader}}}, nil
			}
		}
	}
	return v.fallback.Smooth(ks)
}
