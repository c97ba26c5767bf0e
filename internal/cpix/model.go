package cpix

import (
	"time"

	"github.com/lockstream/lockstream/internal/drm"
	"github.com/lockstream/lockstream/internal/keys"
)

// XML namespaces of a CPIX document.
const (
	NS       = "urn:dashif:org:cpix"
	NSPSKC   = "urn:ietf:params:xml:ns:keyprov:pskc"
	NSXMLEnc = "http://www.w3.org/2001/04/xmlenc#"
	NSDSig   = "http://www.w3.org/2000/09/xmldsig#"
)

// Algorithm identifiers used for encrypted delivery.
const (
	AlgAES256CBC  = "http://www.w3.org/2001/04/xmlenc#aes256-cbc"
	AlgRSAOAEP    = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"
	AlgHMACSHA512 = "http://www.w3.org/2001/04/xmldsig-more#hmac-sha512"
)

// Versions this package reads and writes.
const (
	Version23 = "2.3"
	Version24 = "2.4"
)

// Well-known DRM system ids as CPIX carries them.
var (
	SystemWidevine  = drm.Widevine
	SystemPlayReady = drm.PlayReady
	SystemFairPlay  = drm.FairPlay
	// SystemClearKey is the DASH-IF Clear Key system id
	// (e2719d58-a985-b3c9-781a-b030af78d30e) that SPEKE requests name.
	SystemClearKey = drm.ClearKeyDASH
)

// Document is one CPIX document.
type Document struct {
	ID        string
	ContentID string
	Name      string
	Version   string

	DeliveryData []DeliveryData
	ContentKeys  []ContentKey
	DRMSystems   []DRMSystem
	Periods      []ContentKeyPeriod
	UsageRules   []UsageRule
}

// ContentKey is one ContentKey element.
type ContentKey struct {
	KID keys.KID
	// ExplicitIV is the 16-byte IV the encryptor is told to use; nil when
	// absent.
	ExplicitIV []byte
	// CommonEncryptionScheme is "cenc", "cbc1", "cens", "cbcs" (2.4 adds
	// HLS methods); empty when absent.
	CommonEncryptionScheme string
	// ContentID is the 2.4 per-key content id; empty when absent.
	ContentID string
	// Value is the clear key: what a PlainValue held, what DecryptKeys
	// recovered, or what Marshal writes (encrypted when the document has
	// DeliveryData). Nil when the element carries no value.
	Value *keys.Key
	// Encrypted is the EncryptedValue as read: IV‖ciphertext and its MAC.
	Encrypted *EncryptedValue
}

// EncryptedValue is a pskc EncryptedValue with its ValueMAC.
type EncryptedValue struct {
	Algorithm   string
	CipherValue []byte
	MAC         []byte
}

// Field is an optional base64 element of a DRMSystem. Present with an
// empty Value is how a request asks the key server to fill it in.
type Field struct {
	Present bool
	Value   []byte
}

// Set returns a present field holding v.
func Set(v []byte) Field { return Field{Present: true, Value: v} }

// Playlist names of HLSSignalingData. CPIX 2.4 renamed "master" to
// "multiVariant"; Parse maps both to PlaylistMaster, Marshal writes the
// name of the document's version.
const (
	PlaylistMaster = "master"
	PlaylistMedia  = "media"
)

// DRMSystem is one DRMSystem element: the signalling of one system for
// one key.
type DRMSystem struct {
	ID       string
	KID      keys.KID
	SystemID drm.SystemID
	Name     string

	PSSH                  Field // whole pssh box
	ContentProtectionData Field // DASH ContentProtection children (XML)
	URIExtXKey            Field // legacy HLS key URI
	HLSMedia              Field // full #EXT-X-KEY line(s)
	HLSMaster             Field // full #EXT-X-SESSION-KEY line(s)
	// SmoothStreamingProtectionHeaderData is text (the base64 PRO for
	// PlayReady), not base64 of bytes.
	SmoothStreamingProtectionHeaderData *string
	HDSSignalingData                    Field
}

// ContentKeyPeriod is one key period (key rotation).
type ContentKeyPeriod struct {
	ID    string
	Index *int64
	Start *time.Time
	End   *time.Time
	// StartOffset and EndOffset are the CPIX 2.4 VOD offsets, as written
	// (xs:duration); empty when absent.
	StartOffset string
	EndOffset   string
}

// UsageRule is one ContentKeyUsageRule.
type UsageRule struct {
	ID                string
	KID               keys.KID
	IntendedTrackType string
	KeyPeriodFilters  []string // period ids
	LabelFilters      []string
	VideoFilters      []VideoFilter
	AudioFilters      []AudioFilter
	BitrateFilters    []BitrateFilter
}

// VideoFilter selects video tracks; nil bounds are absent.
type VideoFilter struct {
	MinPixels, MaxPixels *int64
	HDR, WCG             *bool
	MinFPS, MaxFPS       *int64
}

// AudioFilter selects audio tracks by channel count.
type AudioFilter struct {
	MinChannels, MaxChannels *int64
}

// BitrateFilter selects tracks by bitrate.
type BitrateFilter struct {
	MinBitrate, MaxBitrate *int64
}

// DeliveryData names one recipient of encrypted keys.
type DeliveryData struct {
	ID   string
	Name string
	// Certificate is the DER X.509 certificate of the recipient.
	Certificate []byte
	// WrappedDocumentKey and WrappedMACKey are the RSA-OAEP wrapped keys
	// as read or written; empty in a request.
	WrappedDocumentKey []byte
	WrappedMACKey      []byte
	MACAlgorithm       string
	Description        string
	SendingEntity      string
	ReceivingEntity    string
}

// Rule returns the usage rules of kid.
func (d *Document) Rule(kid keys.KID) []UsageRule {
	var out []UsageRule
	for _, r := range d.UsageRules {
		if r.KID == kid {
			out = append(out, r)
		}
	}
	return out
}

// Key returns the content key with that kid, or nil.
func (d *Document) Key(kid keys.KID) *ContentKey {
	for i := range d.ContentKeys {
		if d.ContentKeys[i].KID == kid {
			return &d.ContentKeys[i]
		}
	}
	return nil
}
