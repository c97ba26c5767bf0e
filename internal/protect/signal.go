package protect

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/lockstream/lockstream/internal/cenc"
	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/drm"
	"github.com/lockstream/lockstream/internal/drm/clearkey"
	"github.com/lockstream/lockstream/internal/drm/fairplay"
	"github.com/lockstream/lockstream/internal/drm/playready"
	"github.com/lockstream/lockstream/internal/drm/widevine"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/packager/dash"
	"github.com/lockstream/lockstream/internal/packager/hls"
	"github.com/lockstream/lockstream/internal/packager/smooth"
	"github.com/lockstream/lockstream/internal/streamurl"
)

// drms is what one encryption block of a streaming policy signals: the
// DRM systems it enables and their custom acquisition URL templates.
type drms struct {
	playReady *defs.StreamingPolicyPlayReadyConfiguration
	widevine  *defs.StreamingPolicyWidevineConfiguration
	fairPlay  *defs.StreamingPolicyFairPlayConfiguration
	clearKey  *defs.ClearKeyEncryptionConfiguration
	// envelopeTemplate is the envelope block's custom key URL template.
	envelopeTemplate string
}

func drmsOf(p *defs.StreamingPolicyProperties, e streamurl.Encryption) drms {
	var d drms
	switch e {
	case streamurl.EncCBC:
		if p.EnvelopeEncryption != nil {
			d.envelopeTemplate = p.EnvelopeEncryption.CustomKeyAcquisitionURLTemplate
		}
	case streamurl.EncCENC:
		if b := p.CommonEncryptionCenc; b != nil {
			if b.Drm != nil {
				d.playReady, d.widevine = b.Drm.PlayReady, b.Drm.Widevine
			}
			d.clearKey = b.ClearKeyEncryptionConfiguration
		}
	case streamurl.EncCBCS:
		if b := p.CommonEncryptionCbcs; b != nil {
			if b.Drm != nil {
				d.playReady, d.widevine, d.fairPlay = b.Drm.PlayReady, b.Drm.Widevine, b.Drm.FairPlay
			}
			d.clearKey = b.ClearKeyEncryptionConfiguration
		}
	}
	return d
}

// Signaller writes the DRM signalling of one locator under one scheme:
// what players read to find a license or key for its content keys. The
// built-in one (PolicySignaller) signals the systems the streaming policy
// enables, with Lockstream's key-delivery URLs or the policy's custom
// templates; a key provider that brings its own signalling (CPIX
// DRMSystem data: PSSH, ContentProtection, HLS key tags, Smooth
// protection header) implements it.
type Signaller interface {
	// PSSH returns the pssh boxes an init segment protected with k
	// carries, one per signalled system.
	PSSH(k *ContentKey) ([]*mp4.PsshBox, error)
	// HLSKeys returns the EXT-X-KEY (in a master playlist,
	// EXT-X-SESSION-KEY) tags for content under ks in HLS format f.
	HLSKeys(ks []*ContentKey, f streamurl.Format) ([]hls.Key, error)
	// DASH returns the ContentProtection descriptors of an adaptation
	// set encrypted with k.
	DASH(k *ContentKey) ([]dash.ContentProtection, error)
	// Smooth returns the Smooth manifest's Protection element for
	// content under ks; nil when nothing is signalled.
	Smooth(ks []*ContentKey) (*smooth.Protection, error)
}

// signaler is the built-in Signaller.
type signaler struct {
	scheme streamurl.Encryption
	d      drms
	urls   URLs
	altID  string // the locator's alternativeMediaId
}

// PolicySignaller returns the built-in signalling of locator l under
// scheme e, with key and license URLs from urls.
func PolicySignaller(l *Locator, e streamurl.Encryption, urls URLs) Signaller {
	return &signaler{scheme: e, d: drmsOf(l.Policy, e), urls: urls, altID: l.AlternativeMediaID}
}

func (sg *signaler) url(template string, kid keys.KID, def string) string {
	if template != "" {
		return drm.ExpandTemplate(template, kid, sg.altID)
	}
	return def
}

func (sg *signaler) cencScheme() string {
	if sg.scheme == streamurl.EncCBCS {
		return "cbcs"
	}
	return "cenc"
}

// clearKeyLicenseURL is where Clear Key players get licenses.
func (sg *signaler) clearKeyLicenseURL(kid keys.KID) string {
	tmpl := ""
	if sg.d.clearKey != nil {
		tmpl = sg.d.clearKey.CustomKeysAcquisitionURLTemplate
	}
	return sg.url(tmpl, kid, sg.urls.ClearKey())
}

// signalsClearKey reports whether Clear Key is signalled: when the block
// enables it, or when it names no DRM system at all (then Lockstream's own
// key delivery is the only way to play).
func (sg *signaler) signalsClearKey() bool {
	return sg.d.clearKey != nil || (sg.d.playReady == nil && sg.d.widevine == nil && sg.d.fairPlay == nil)
}

// playReadyObject builds the PlayReady Object for the keys.
func (sg *signaler) playReadyObject(ks []*ContentKey) ([]byte, error) {
	hk := make([]playready.HeaderKey, len(ks))
	for i, k := range ks {
		key := k.Key
		hk[i] = playready.HeaderKey{KID: k.KID, Key: &key}
	}
	h, err := playready.NewHeader(sg.cencScheme(), hk)
	if err != nil {
		return nil, fmt.Errorf("playready header: %w", err)
	}
	h.LAURL = sg.url(sg.d.playReady.CustomLicenseAcquisitionURLTemplate, ks[0].KID, sg.urls.PlayReady())
	h.CustomAttributes = sg.d.playReady.PlayReadyCustomAttributes
	pro, err := h.Object()
	if err != nil {
		return nil, fmt.Errorf("playready object: %w", err)
	}
	return pro, nil
}

func kidsOf(ks []*ContentKey) []keys.KID {
	out := make([]keys.KID, len(ks))
	for i, k := range ks {
		out[i] = k.KID
	}
	return out
}

// PSSH implements Signaller.
func (sg *signaler) PSSH(k *ContentKey) ([]*mp4.PsshBox, error) {
	var ps []drm.PSSH
	ks := []*ContentKey{k}
	if sg.d.widevine != nil {
		p, err := widevine.PsshData{KeyIDs: kidsOf(ks), ProtectionScheme: sg.widevineScheme()}.PSSH()
		if err != nil {
			return nil, fmt.Errorf("widevine pssh: %w", err)
		}
		ps = append(ps, p)
	}
	if sg.d.playReady != nil {
		pro, err := sg.playReadyObject(ks)
		if err != nil {
			return nil, err
		}
		p, err := playready.PSSH(pro, kidsOf(ks))
		if err != nil {
			return nil, fmt.Errorf("playready pssh: %w", err)
		}
		ps = append(ps, p)
	}
	if sg.signalsClearKey() {
		p, err := clearkey.PSSH(kidsOf(ks))
		if err != nil {
			return nil, fmt.Errorf("common pssh: %w", err)
		}
		ps = append(ps, p)
	}
	out := make([]*mp4.PsshBox, 0, len(ps))
	for _, p := range ps {
		b, err := p.Box()
		if err != nil {
			return nil, fmt.Errorf("pssh box: %w", err)
		}
		out = append(out, b)
	}
	return out, nil
}

func (sg *signaler) widevineScheme() string {
	if sg.scheme == streamurl.EncCBCS {
		return "cbcs"
	}
	return ""
}

// HLSKeys implements Signaller.
func (sg *signaler) HLSKeys(ks []*ContentKey, f streamurl.Format) ([]hls.Key, error) {
	var out []hls.Key
	for _, k := range ks {
		switch sg.scheme {
		case streamurl.EncCBC:
			// No IV attribute: each segment's IV is its media sequence
			// number (RFC 8216 §5.2), which the origin uses when sealing.
			out = append(out, hls.Key{Method: "AES-128", URI: sg.url(sg.d.envelopeTemplate, k.KID, sg.urls.AES(k.KID))})
			continue
		case streamurl.EncCENC, streamurl.EncCBCS:
		default:
			return nil, fmt.Errorf("hls keys for scheme %s", sg.scheme)
		}
		method := "SAMPLE-AES"
		if sg.scheme == streamurl.EncCENC {
			method = "SAMPLE-AES-CTR"
		}
		if sg.d.fairPlay != nil && sg.scheme == streamurl.EncCBCS {
			u := sg.url(sg.d.fairPlay.CustomLicenseAcquisitionURLTemplate, k.KID, sg.urls.FairPlay(k.KID))
			key := hls.Key{Method: method, URI: skdURI(u, k.KID), KeyFormat: fairplay.KeyFormat, KeyFormatVersions: "1"}
			if f != streamurl.FormatHLSCMAF {
				// TS SAMPLE-AES carries no tenc: the constant IV travels
				// in the tag.
				iv := cenc.DeriveConstantIV(k.KID)
				key.IV = "0x" + hex.EncodeToString(iv[:])
			}
			out = append(out, key)
		}
		if f != streamurl.FormatHLSCMAF {
			continue // TS carries FairPlay SAMPLE-AES only
		}
		if sg.d.widevine != nil {
			p, err := widevine.PsshData{KeyIDs: []keys.KID{k.KID}, ProtectionScheme: sg.widevineScheme()}.PSSH()
			if err != nil {
				return nil, fmt.Errorf("widevine pssh: %w", err)
			}
			uri, err := widevine.DataURI(p)
			if err != nil {
				return nil, fmt.Errorf("widevine data uri: %w", err)
			}
			out = append(out, hls.Key{Method: method, URI: uri, KeyFormat: widevine.KeyFormat, KeyFormatVersions: "1"})
		}
		if sg.d.playReady != nil {
			pro, err := sg.playReadyObject([]*ContentKey{k})
			if err != nil {
				return nil, err
			}
			out = append(out, hls.Key{Method: method, URI: "data:text/plain;charset=UTF-16;base64," + base64.StdEncoding.EncodeToString(pro),
				KeyFormat: "com.microsoft.playready", KeyFormatVersions: "1"})
		}
		if sg.signalsClearKey() {
			// hls.js's EME controller takes the license URL from its
			// drmSystems config; the URI names the key id for it.
			out = append(out, hls.Key{Method: method, URI: sg.clearKeyLicenseURL(k.KID) + "?kid=" + k.KID.String(), KeyFormat: "org.w3.clearkey", KeyFormatVersions: "1"})
		}
	}
	return out, nil
}

// skdURI turns a FairPlay key server URL into the skd:// form the
// playlist carries; the player app maps it back to the server URL.
func skdURI(u string, kid keys.KID) string {
	for _, p := range []string{"https://", "http://"} {
		if strings.HasPrefix(u, p) {
			return "skd://" + strings.TrimPrefix(u, p)
		}
	}
	if strings.HasPrefix(u, "skd://") {
		return u
	}
	return fairplay.SKDURI(u, kid)
}

// DASH implements Signaller.
func (sg *signaler) DASH(k *ContentKey) ([]dash.ContentProtection, error) {
	out := []dash.ContentProtection{{SchemeIDURI: "urn:mpeg:dash:mp4protection:2011", Value: sg.cencScheme(), DefaultKID: k.KID.String()}}
	if sg.d.widevine != nil {
		p, err := widevine.PsshData{KeyIDs: []keys.KID{k.KID}, ProtectionScheme: sg.widevineScheme()}.PSSH()
		if err != nil {
			return nil, fmt.Errorf("widevine pssh: %w", err)
		}
		b, err := p.Marshal()
		if err != nil {
			return nil, fmt.Errorf("widevine pssh: %w", err)
		}
		cp := dash.ContentProtection{SchemeIDURI: drm.Widevine.URN(), Value: "Widevine", Pssh: base64.StdEncoding.EncodeToString(b)}
		if t := sg.d.widevine.CustomLicenseAcquisitionURLTemplate; t != "" || sg.urls.Base != "" {
			cp.Inner = laURL(sg.url(t, k.KID, sg.urls.Widevine(k.KID)))
		}
		out = append(out, cp)
	}
	if sg.d.playReady != nil {
		pro, err := sg.playReadyObject([]*ContentKey{k})
		if err != nil {
			return nil, err
		}
		p, err := playready.PSSH(pro, nil)
		if err != nil {
			return nil, fmt.Errorf("playready pssh: %w", err)
		}
		b, err := p.Marshal()
		if err != nil {
			return nil, fmt.Errorf("playready pssh: %w", err)
		}
		out = append(out, dash.ContentProtection{SchemeIDURI: drm.PlayReady.URN(), Value: "MSPR 2.0",
			Pssh: base64.StdEncoding.EncodeToString(b), Pro: base64.StdEncoding.EncodeToString(pro)})
	}
	if sg.signalsClearKey() {
		p, err := clearkey.PSSH([]keys.KID{k.KID})
		if err != nil {
			return nil, fmt.Errorf("common pssh: %w", err)
		}
		b, err := p.Marshal()
		if err != nil {
			return nil, fmt.Errorf("common pssh: %w", err)
		}
		out = append(out, dash.ContentProtection{SchemeIDURI: drm.ClearKeyDASH.URN(), Value: "ClearKey1.0",
			Pssh: base64.StdEncoding.EncodeToString(b), Inner: laURL(sg.clearKeyLicenseURL(k.KID))})
	}
	return out, nil
}

// laURL is the DASH-IF license URL element, with its namespace declared
// in place so the MPD writer needs no knowledge of it.
func laURL(u string) string {
	var b strings.Builder
	b.WriteString(`<dashif:Laurl xmlns:dashif="https://dashif.org/CPS">`)
	_ = xmlEscape(&b, u)
	b.WriteString(`</dashif:Laurl>`)
	return b.String()
}

// Smooth implements Signaller: PlayReady only, the format knows no
// other.
func (sg *signaler) Smooth(ks []*ContentKey) (*smooth.Protection, error) {
	if sg.d.playReady == nil {
		return nil, nil
	}
	pro, err := sg.playReadyObject(ks)
	if err != nil {
		return nil, err
	}
	return &smooth.Protection{Headers: []smooth.ProtectionHeader{{SystemID: strings.ToUpper(drm.PlayReady.String()), Data: base64.StdEncoding.EncodeToString(pro)}}}, nil
}

func xmlEscape(b *strings.Builder, s string) error {
	return xml.EscapeText(b, []byte(s))
}
