package cpix

import "encoding/xml"

// Wire structs for decoding. Element names are namespace-qualified so a
// look-alike element from another namespace is not taken for a CPIX one;
// unknown elements are ignored (CPIX allows ##other extensions).

type xText struct {
	Text string `xml:",chardata"`
}

type xCPIX struct {
	XMLName          xml.Name           `xml:"urn:dashif:org:cpix CPIX"`
	ID               string             `xml:"id,attr"`
	ContentID        string             `xml:"contentId,attr"`
	Name             string             `xml:"name,attr"`
	Version          string             `xml:"version,attr"`
	DeliveryDataList *xDeliveryDataList `xml:"urn:dashif:org:cpix DeliveryDataList"`
	ContentKeyList   *xContentKeyList   `xml:"urn:dashif:org:cpix ContentKeyList"`
	DRMSystemList    *xDRMSystemList    `xml:"urn:dashif:org:cpix DRMSystemList"`
	PeriodList       *xPeriodList       `xml:"urn:dashif:org:cpix ContentKeyPeriodList"`
	UsageRuleList    *xUsageRuleList    `xml:"urn:dashif:org:cpix ContentKeyUsageRuleList"`
}

type xDeliveryDataList struct {
	Items []xDeliveryData `xml:"urn:dashif:org:cpix DeliveryData"`
}

type xDeliveryData struct {
	ID              string      `xml:"id,attr"`
	Name            string      `xml:"name,attr"`
	DeliveryKey     *xKeyInfo   `xml:"urn:dashif:org:cpix DeliveryKey"`
	DocumentKey     *xKey       `xml:"urn:dashif:org:cpix DocumentKey"`
	MACMethod       *xMACMethod `xml:"urn:dashif:org:cpix MACMethod"`
	Description     *xText      `xml:"urn:dashif:org:cpix Description"`
	SendingEntity   *xText      `xml:"urn:dashif:org:cpix SendingEntity"`
	ReceivingEntity *xText      `xml:"urn:dashif:org:cpix ReceivingEntity"`
}

type xKeyInfo struct {
	X509Data []xX509Data `xml:"http://www.w3.org/2000/09/xmldsig# X509Data"`
}

type xX509Data struct {
	Certificates []xText `xml:"http://www.w3.org/2000/09/xmldsig# X509Certificate"`
}

type xMACMethod struct {
	Algorithm string      `xml:"Algorithm,attr"`
	MACKey    *xEncrypted `xml:"urn:ietf:params:xml:ns:keyprov:pskc MACKey"`
}

type xKey struct {
	Algorithm string    `xml:"Algorithm,attr"`
	Data      *xKeyData `xml:"urn:dashif:org:cpix Data"`
}

type xKeyData struct {
	Secret *xSecret `xml:"urn:ietf:params:xml:ns:keyprov:pskc Secret"`
}

type xSecret struct {
	PlainValue     *xText      `xml:"urn:ietf:params:xml:ns:keyprov:pskc PlainValue"`
	EncryptedValue *xEncrypted `xml:"urn:ietf:params:xml:ns:keyprov:pskc EncryptedValue"`
	ValueMAC       *xText      `xml:"urn:ietf:params:xml:ns:keyprov:pskc ValueMAC"`
}

type xEncrypted struct {
	Method     *xAlgorithm  `xml:"http://www.w3.org/2001/04/xmlenc# EncryptionMethod"`
	CipherData *xCipherData `xml:"http://www.w3.org/2001/04/xmlenc# CipherData"`
}

type xAlgorithm struct {
	Algorithm string `xml:"Algorithm,attr"`
}

type xCipherData struct {
	CipherValue *xText `xml:"http://www.w3.org/2001/04/xmlenc# CipherValue"`
}

type xContentKeyList struct {
	Items []xContentKey `xml:"urn:dashif:org:cpix ContentKey"`
}

type xContentKey struct {
	KID                    string    `xml:"kid,attr"`
	ExplicitIV             string    `xml:"explicitIV,attr"`
	CommonEncryptionScheme string    `xml:"commonEncryptionScheme,attr"`
	ContentID              string    `xml:"contentId,attr"`
	Data                   *xKeyData `xml:"urn:dashif:org:cpix Data"`
}

type xDRMSystemList struct {
	Items []xDRMSystem `xml:"urn:dashif:org:cpix DRMSystem"`
}

type xHLS struct {
	Playlist string `xml:"playlist,attr"`
	Text     string `xml:",chardata"`
}

type xDRMSystem struct {
	ID                    string `xml:"id,attr"`
	KID                   string `xml:"kid,attr"`
	SystemID              string `xml:"systemId,attr"`
	Name                  string `xml:"name,attr"`
	PSSH                  *xText `xml:"urn:dashif:org:cpix PSSH"`
	ContentProtectionData *xText `xml:"urn:dashif:org:cpix ContentProtectionData"`
	URIExtXKey            *xText `xml:"urn:dashif:org:cpix URIExtXKey"`
	HLSSignalingData      []xHLS `xml:"urn:dashif:org:cpix HLSSignalingData"`
	Smooth                *xText `xml:"urn:dashif:org:cpix SmoothStreamingProtectionHeaderData"`
	HDSSignalingData      *xText `xml:"urn:dashif:org:cpix HDSSignalingData"`
}

type xPeriodList struct {
	Items []xPeriod `xml:"urn:dashif:org:cpix ContentKeyPeriod"`
}

type xPeriod struct {
	ID          string `xml:"id,attr"`
	Index       string `xml:"index,attr"`
	Start       string `xml:"start,attr"`
	End         string `xml:"end,attr"`
	StartOffset string `xml:"startOffset,attr"`
	EndOffset   string `xml:"endOffset,attr"`
}

type xUsageRuleList struct {
	Items []xUsageRule `xml:"urn:dashif:org:cpix ContentKeyUsageRule"`
}

type xUsageRule struct {
	ID                string           `xml:"id,attr"`
	KID               string           `xml:"kid,attr"`
	IntendedTrackType string           `xml:"intendedTrackType,attr"`
	KeyPeriodFilters  []xPeriodFilter  `xml:"urn:dashif:org:cpix KeyPeriodFilter"`
	LabelFilters      []xLabelFilter   `xml:"urn:dashif:org:cpix LabelFilter"`
	VideoFilters      []xVideoFilter   `xml:"urn:dashif:org:cpix VideoFilter"`
	AudioFilters      []xAudioFilter   `xml:"urn:dashif:org:cpix AudioFilter"`
	BitrateFilters    []xBitrateFilter `xml:"urn:dashif:org:cpix BitrateFilter"`
}

type xPeriodFilter struct {
	PeriodID string `xml:"periodId,attr"`
}

type xLabelFilter struct {
	Label string `xml:"label,attr"`
}

type xVideoFilter struct {
	MinPixels string `xml:"minPixels,attr"`
	MaxPixels string `xml:"maxPixels,attr"`
	HDR       string `xml:"hdr,attr"`
	WCG       string `xml:"wcg,attr"`
	MinFPS    string `xml:"minFps,attr"`
	MaxFPS    string `xml:"maxFps,attr"`
}

type xAudioFilter struct {
	MinChannels string `xml:"minChannels,attr"`
	MaxChannels string `xml:"maxChannels,attr"`
}

type xBitrateFilter struct {
	MinBitrate string `xml:"minBitrate,attr"`
	MaxBitrate string `xml:"maxBitrate,attr"`
}
