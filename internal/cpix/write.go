package cpix

import (
	"encoding/base64"
	"encoding/xml"
	"errors"
	"strconv"
	"strings"
	"time"
)

// ErrPlainKeyForRecipients means Marshal was asked to write a clear
// content key into a document addressed to recipients: Encrypt first.
var ErrPlainKeyForRecipients = errors.New("cpix: clear content key in a document with DeliveryData; call Encrypt first")

// Marshal writes the document with the cpix, pskc, xenc and ds prefixes
// declared on the root. Elements are written in schema order; empty lists
// are omitted. A document with DeliveryData must have every key value
// encrypted ([Document.Encrypt]); Marshal never writes a clear key into
// it.
func (d *Document) Marshal() ([]byte, error) {
	w := &writer{}
	w.b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	w.open("cpix:CPIX",
		"xmlns:cpix", NS, "xmlns:pskc", NSPSKC, "xmlns:xenc", NSXMLEnc, "xmlns:ds", NSDSig,
		"id", d.ID, "contentId", d.ContentID, "name", d.Name, "version", d.Version)
	if len(d.DeliveryData) > 0 {
		w.open("cpix:DeliveryDataList")
		for _, dd := range d.DeliveryData {
			w.delivery(dd, d.Version)
		}
		w.close("cpix:DeliveryDataList")
	}
	if len(d.ContentKeys) > 0 {
		w.open("cpix:ContentKeyList")
		for _, ck := range d.ContentKeys {
			if err := w.contentKey(ck, len(d.DeliveryData) > 0); err != nil {
				return nil, err
			}
		}
		w.close("cpix:ContentKeyList")
	}
	if len(d.DRMSystems) > 0 {
		w.open("cpix:DRMSystemList")
		for _, s := range d.DRMSystems {
			w.system(s, d.Version)
		}
		w.close("cpix:DRMSystemList")
	}
	if len(d.Periods) > 0 {
		w.open("cpix:ContentKeyPeriodList")
		for _, p := range d.Periods {
			w.empty("cpix:ContentKeyPeriod", "id", p.ID, "index", optIntString(p.Index),
				"start", optTimeString(p.Start), "end", optTimeString(p.End),
				"startOffset", p.StartOffset, "endOffset", p.EndOffset)
		}
		w.close("cpix:ContentKeyPeriodList")
	}
	if len(d.UsageRules) > 0 {
		w.open("cpix:ContentKeyUsageRuleList")
		for _, r := range d.UsageRules {
			w.rule(r)
		}
		w.close("cpix:ContentKeyUsageRuleList")
	}
	w.close("cpix:CPIX")
	return []byte(w.b.String()), nil
}

func optIntString(n *int64) string {
	if n == nil {
		return ""
	}
	return strconv.FormatInt(*n, 10)
}

func optBoolString(v *bool) string {
	if v == nil {
		return ""
	}
	return strconv.FormatBool(*v)
}

func optTimeString(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

type writer struct {
	b strings.Builder
}

// start writes a start tag; attrs are name/value pairs, empty values
// omitted.
func (w *writer) start(name string, attrs []string, selfClose bool) {
	w.b.WriteByte('<')
	w.b.WriteString(name)
	for i := 0; i+1 < len(attrs); i += 2 {
		if attrs[i+1] == "" {
			continue
		}
		w.b.WriteByte(' ')
		w.b.WriteString(attrs[i])
		w.b.WriteString(`="`)
		_ = xml.EscapeText(&w.b, []byte(attrs[i+1]))
		w.b.WriteByte('"')
	}
	if selfClose {
		w.b.WriteString("/>")
	} else {
		w.b.WriteByte('>')
	}
}

func (w *writer) open(name string, attrs ...string)  { w.start(name, attrs, false) }
func (w *writer) empty(name string, attrs ...string) { w.start(name, attrs, true) }
func (w *writer) close(name string) {
	w.b.WriteString("</")
	w.b.WriteString(name)
	w.b.WriteByte('>')
}

func (w *writer) text(name, text string, attrs ...string) {
	w.start(name, attrs, false)
	_ = xml.EscapeText(&w.b, []byte(text))
	w.close(name)
}

func (w *writer) encrypted(name, alg string, cipher []byte) {
	w.open(name)
	w.empty("xenc:EncryptionMethod", "Algorithm", alg)
	w.open("xenc:CipherData")
	w.text("xenc:CipherValue", b64(cipher))
	w.close("xenc:CipherData")
	w.close(name)
}

func (w *writer) delivery(dd DeliveryData, version string) {
	w.open("cpix:DeliveryData", "id", dd.ID, "name", dd.Name)
	w.open("cpix:DeliveryKey")
	w.open("ds:X509Data")
	w.text("ds:X509Certificate", b64(dd.Certificate))
	w.close("ds:X509Data")
	w.close("cpix:DeliveryKey")
	if len(dd.WrappedDocumentKey) > 0 {
		// 2.4 dropped DocumentKey@Algorithm: AES-256-CBC is implied.
		alg := AlgAES256CBC
		if version == Version24 {
			alg = ""
		}
		w.open("cpix:DocumentKey", "Algorithm", alg)
		w.open("cpix:Data")
		w.open("pskc:Secret")
		w.encrypted("pskc:EncryptedValue", AlgRSAOAEP, dd.WrappedDocumentKey)
		w.close("pskc:Secret")
		w.close("cpix:Data")
		w.close("cpix:DocumentKey")
	} else {
		// The schema requires a DocumentKey; a request names the
		// recipient only, so an empty one says "choose it".
		w.empty("cpix:DocumentKey")
	}
	if len(dd.WrappedMACKey) > 0 {
		alg := dd.MACAlgorithm
		if alg == "" {
			alg = AlgHMACSHA512
		}
		w.open("cpix:MACMethod", "Algorithm", alg)
		w.encrypted("pskc:MACKey", AlgRSAOAEP, dd.WrappedMACKey)
		w.close("cpix:MACMethod")
	}
	if dd.Description != "" {
		w.text("cpix:Description", dd.Description)
	}
	if dd.SendingEntity != "" {
		w.text("cpix:SendingEntity", dd.SendingEntity)
	}
	if dd.ReceivingEntity != "" {
		w.text("cpix:ReceivingEntity", dd.ReceivingEntity)
	}
	w.close("cpix:DeliveryData")
}

func (w *writer) contentKey(ck ContentKey, recipients bool) error {
	attrs := []string{"kid", ck.KID.String(), "commonEncryptionScheme", ck.CommonEncryptionScheme, "contentId", ck.ContentID}
	if ck.ExplicitIV != nil {
		attrs = append(attrs, "explicitIV", b64(ck.ExplicitIV))
	}
	switch {
	case ck.Encrypted != nil:
		w.open("cpix:ContentKey", attrs...)
		w.open("cpix:Data")
		w.open("pskc:Secret")
		alg := ck.Encrypted.Algorithm
		if alg == "" {
			alg = AlgAES256CBC
		}
		w.encrypted("pskc:EncryptedValue", alg, ck.Encrypted.CipherValue)
		if len(ck.Encrypted.MAC) > 0 {
			w.text("pskc:ValueMAC", b64(ck.Encrypted.MAC))
		}
		w.close("pskc:Secret")
		w.close("cpix:Data")
		w.close("cpix:ContentKey")
	case ck.Value != nil:
		if recipients {
			return ErrPlainKeyForRecipients
		}
		w.open("cpix:ContentKey", attrs...)
		w.open("cpix:Data")
		w.open("pskc:Secret")
		w.text("pskc:PlainValue", b64(ck.Value[:]))
		w.close("pskc:Secret")
		w.close("cpix:Data")
		w.close("cpix:ContentKey")
	default:
		w.empty("cpix:ContentKey", attrs...)
	}
	return nil
}

func (w *writer) field(name string, f Field, attrs ...string) {
	if !f.Present {
		return
	}
	if len(f.Value) == 0 {
		w.empty(name, attrs...)
		return
	}
	w.text(name, b64(f.Value), attrs...)
}

func (w *writer) system(s DRMSystem, version string) {
	w.open("cpix:DRMSystem", "id", s.ID, "kid", s.KID.String(), "systemId", s.SystemID.String(), "name", s.Name)
	w.field("cpix:PSSH", s.PSSH)
	w.field("cpix:ContentProtectionData", s.ContentProtectionData)
	w.field("cpix:URIExtXKey", s.URIExtXKey)
	master := PlaylistMaster
	if version == Version24 {
		master = "multiVariant"
	}
	w.field("cpix:HLSSignalingData", s.HLSMedia, "playlist", PlaylistMedia)
	w.field("cpix:HLSSignalingData", s.HLSMaster, "playlist", master)
	if s.SmoothStreamingProtectionHeaderData != nil {
		w.text("cpix:SmoothStreamingProtectionHeaderData", *s.SmoothStreamingProtectionHeaderData)
	}
	w.field("cpix:HDSSignalingData", s.HDSSignalingData)
	w.close("cpix:DRMSystem")
}

func (w *writer) rule(r UsageRule) {
	w.open("cpix:ContentKeyUsageRule", "id", r.ID, "kid", r.KID.String(), "intendedTrackType", r.IntendedTrackType)
	for _, p := range r.KeyPeriodFilters {
		w.empty("cpix:KeyPeriodFilter", "periodId", p)
	}
	for _, l := range r.LabelFilters {
		w.empty("cpix:LabelFilter", "label", l)
	}
	for _, v := range r.VideoFilters {
		w.empty("cpix:VideoFilter", "minPixels", optIntString(v.MinPixels), "maxPixels", optIntString(v.MaxPixels),
			"hdr", optBoolString(v.HDR), "wcg", optBoolString(v.WCG),
			"minFps", optIntString(v.MinFPS), "maxFps", optIntString(v.MaxFPS))
	}
	for _, a := range r.AudioFilters {
		w.empty("cpix:AudioFilter", "minChannels", optIntString(a.MinChannels), "maxChannels", optIntString(a.MaxChannels))
	}
	for _, b := range r.BitrateFilters {
		w.empty("cpix:BitrateFilter", "minBitrate", optIntString(b.MinBitrate), "maxBitrate", optIntString(b.MaxBitrate))
	}
	w.close("cpix:ContentKeyUsageRule")
}
