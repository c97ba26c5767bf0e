package speke

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/lockstream/lockstream/internal/cpix"
	"github.com/lockstream/lockstream/internal/drm"
	"github.com/lockstream/lockstream/internal/drm/clearkey"
	"github.com/lockstream/lockstream/internal/drm/fairplay"
	"github.com/lockstream/lockstream/internal/drm/playready"
	"github.com/lockstream/lockstream/internal/drm/widevine"
	"github.com/lockstream/lockstream/internal/keydelivery"
	"github.com/lockstream/lockstream/internal/keys"
)

// System ids of HLS AES-128 ("identity" key format) that SPEKE encryptors
// use; they are implementation-specific (drm-and-tokens.md §1).
var (
	systemAES128MediaPackage = mustSystemID("3ea8778f-7742-4bf9-b18b-e834b2acbd47")
	systemAES128SPEKEv1      = mustSystemID("81376844-f976-481e-a84e-cc25d39b0b33")
)

func mustSystemID(s string) drm.SystemID {
	id, err := drm.ParseSystemID(s)
	if err != nil {
		panic(err)
	}
	return id
}

// Supported reports whether Lockstream signals the system.
func Supported(id drm.SystemID) bool {
	switch id {
	case drm.Widevine, drm.PlayReady, drm.FairPlay, drm.ClearKeyDASH, drm.Common, systemAES128MediaPackage, systemAES128SPEKEv1:
		return true
	}
	return false
}

// Signaler fills DRMSystem elements with Lockstream's signalling.
type Signaler struct {
	URLs keydelivery.URLs
}

// keyInfo is what signalling needs of one content key.
type keyInfo struct {
	KID    keys.KID
	Key    keys.Key
	Scheme string // cenc, cbcs, cens, cbc1
}

// Fill sets every requested (present) field of s for key k. Fields that
// do not apply to the system (a PSSH box for FairPlay, a Smooth header for
// anything but PlayReady) are removed, as SPEKE key providers do.
func (sg Signaler) Fill(s *cpix.DRMSystem, k keyInfo) error {
	switch s.SystemID {
	case drm.Widevine:
		return sg.widevine(s, k)
	case drm.PlayReady:
		return sg.playReady(s, k)
	case drm.FairPlay:
		return sg.fairPlay(s, k)
	case drm.ClearKeyDASH, drm.Common:
		return sg.clearKey(s, k)
	case systemAES128MediaPackage, systemAES128SPEKEv1:
		return sg.aes128(s, k)
	}
	return fmt.Errorf("unsupported system %s", s.SystemID)
}

func hlsMethod(scheme string) string {
	if scheme == "cenc" || scheme == "cens" {
		return "SAMPLE-AES-CTR"
	}
	return "SAMPLE-AES"
}

// hlsLines fills the HLS fields with the attribute list attrs after the
// METHOD: EXT-X-KEY for media playlists, EXT-X-SESSION-KEY for the
// master (multivariant) playlist.
func hlsLines(s *cpix.DRMSystem, method, attrs string) {
	if s.HLSMedia.Present {
		s.HLSMedia = cpix.Set([]byte("#EXT-X-KEY:METHOD=" + method + attrs))
	}
	if s.HLSMaster.Present {
		s.HLSMaster = cpix.Set([]byte("#EXT-X-SESSION-KEY:METHOD=" + method + attrs))
	}
}

func psshXML(box []byte) string {
	return `<cenc:pssh xmlns:cenc="urn:mpeg:cenc:2013">` + base64.StdEncoding.EncodeToString(box) + `</cenc:pssh>`
}

func laURL(u string) string {
	var b strings.Builder
	b.WriteString(`<dashif:Laurl xmlns:dashif="https://dashif.org/CPS">`)
	_ = xml.EscapeText(&b, []byte(u))
	b.WriteString(`</dashif:Laurl>`)
	return b.String()
}

func notApplicable(s *cpix.DRMSystem, smooth bool) {
	if !smooth {
		s.SmoothStreamingProtectionHeaderData = nil
	}
	s.HDSSignalingData = cpix.Field{}
}

func (sg Signaler) widevine(s *cpix.DRMSystem, k keyInfo) error {
	scheme := ""
	if k.Scheme != "cenc" {
		scheme = k.Scheme
	}
	p, err := widevine.PsshData{KeyIDs: []keys.KID{k.KID}, ProtectionScheme: scheme}.PSSH()
	if err != nil {
		return fmt.Errorf("widevine pssh: %w", err)
	}
	box, err := p.Marshal()
	if err != nil {
		return fmt.Errorf("widevine pssh: %w", err)
	}
	uri, err := widevine.DataURI(p)
	if err != nil {
		return err
	}
	if s.PSSH.Present {
		s.PSSH = cpix.Set(box)
	}
	if s.ContentProtectionData.Present {
		s.ContentProtectionData = cpix.Set([]byte(psshXML(box) + laURL(sg.URLs.Widevine(k.KID))))
	}
	if s.URIExtXKey.Present {
		s.URIExtXKey = cpix.Set([]byte(uri))
	}
	hlsLines(s, hlsMethod(k.Scheme), `,URI="`+uri+`",KEYID=0x`+hex.EncodeToString(k.KID[:])+
		`,KEYFORMAT="`+widevine.KeyFormat+`",KEYFORMATVERSIONS="`+widevine.KeyFormatVersions+`"`)
	notApplicable(s, false)
	return nil
}

func (sg Signaler) playReadyObject(k keyInfo) ([]byte, error) {
	key := k.Key
	scheme := k.Scheme
	if scheme != "cbcs" {
		scheme = "cenc"
	}
	h, err := playready.NewHeader(scheme, []playready.HeaderKey{{KID: k.KID, Key: &key}})
	if err != nil {
		return nil, fmt.Errorf("playready header: %w", err)
	}
	h.LAURL = sg.URLs.PlayReady()
	pro, err := h.Object()
	if err != nil {
		return nil, fmt.Errorf("playready object: %w", err)
	}
	return pro, nil
}

func (sg Signaler) playReady(s *cpix.DRMSystem, k keyInfo) error {
	pro, err := sg.playReadyObject(k)
	if err != nil {
		return err
	}
	p, err := playready.PSSH(pro, []keys.KID{k.KID})
	if err != nil {
		return fmt.Errorf("playready pssh: %w", err)
	}
	box, err := p.Marshal()
	if err != nil {
		return fmt.Errorf("playready pssh: %w", err)
	}
	proB64 := base64.StdEncoding.EncodeToString(pro)
	if s.PSSH.Present {
		s.PSSH = cpix.Set(box)
	}
	if s.ContentProtectionData.Present {
		s.ContentProtectionData = cpix.Set([]byte(`<mspr:pro xmlns:mspr="urn:microsoft:playready">` + proB64 + `</mspr:pro>` + psshXML(box)))
	}
	uri := "data:text/plain;charset=UTF-16;base64," + proB64
	if s.URIExtXKey.Present {
		s.URIExtXKey = cpix.Set([]byte(uri))
	}
	if s.SmoothStreamingProtectionHeaderData != nil {
		s.SmoothStreamingProtectionHeaderData = &proB64
	}
	hlsLines(s, hlsMethod(k.Scheme), `,URI="`+uri+`",KEYFORMAT="com.microsoft.playready",KEYFORMATVERSIONS="1"`)
	notApplicable(s, true)
	return nil
}

// skd turns the FairPlay key-server URL into the skd:// URI playlists
// carry; the player app maps it back.
func skd(u string, kid keys.KID) string {
	for _, p := range []string{"https://", "http://"} {
		if rest, ok := strings.CutPrefix(u, p); ok {
			return "skd://" + rest
		}
	}
	return fairplay.SKDURI(u, kid)
}

func (sg Signaler) fairPlay(s *cpix.DRMSystem, k keyInfo) error {
	uri := skd(sg.URLs.FairPlay(k.KID), k.KID)
	// FairPlay has no PSSH box and no DASH signalling.
	s.PSSH, s.ContentProtectionData = cpix.Field{}, cpix.Field{}
	if s.URIExtXKey.Present {
		s.URIExtXKey = cpix.Set([]byte(uri))
	}
	hlsLines(s, "SAMPLE-AES", `,URI="`+uri+`",KEYFORMAT="`+fairplay.KeyFormat+`",KEYFORMATVERSIONS="`+fairplay.KeyFormatVersions+`"`)
	notApplicable(s, false)
	return nil
}

func (sg Signaler) clearKey(s *cpix.DRMSystem, k keyInfo) error {
	p, err := clearkey.PSSH([]keys.KID{k.KID})
	if err != nil {
		return fmt.Errorf("common pssh: %w", err)
	}
	box, err := p.Marshal()
	if err != nil {
		return fmt.Errorf("common pssh: %w", err)
	}
	lic := sg.URLs.ClearKey()
	if s.PSSH.Present {
		s.PSSH = cpix.Set(box)
	}
	if s.ContentProtectionData.Present {
		s.ContentProtectionData = cpix.Set([]byte(laURL(lic) + psshXML(box)))
	}
	uri := lic + "?kid=" + k.KID.String()
	if s.URIExtXKey.Present {
		s.URIExtXKey = cpix.Set([]byte(uri))
	}
	hlsLines(s, hlsMethod(k.Scheme), `,URI="`+uri+`",KEYFORMAT="org.w3.clearkey",KEYFORMATVERSIONS="1"`)
	notApplicable(s, false)
	return nil
}

func (sg Signaler) aes128(s *cpix.DRMSystem, k keyInfo) error {
	uri := sg.URLs.AES(k.KID)
	s.PSSH, s.ContentProtectionData = cpix.Field{}, cpix.Field{}
	if s.URIExtXKey.Present {
		s.URIExtXKey = cpix.Set([]byte(uri))
	}
	hlsLines(s, "AES-128", `,URI="`+uri+`"`)
	notApplicable(s, false)
	return nil
}
