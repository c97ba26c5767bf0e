package cpix

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/drm"
	"github.com/lockstream/lockstream/internal/keys"
)

// Parse reads a CPIX document under the limits described in the package
// documentation. It checks structure and encodings (UUIDs, base64, key and
// IV sizes, integers, dates), not the profile of any one protocol: SPEKE's
// rules are the caller's.
func Parse(b []byte) (*Document, error) {
	if err := screen(b); err != nil {
		return nil, err
	}
	var x xCPIX
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	if err := dec.Decode(&x); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return fromWire(&x)
}

func fromWire(x *xCPIX) (*Document, error) {
	d := &Document{ID: x.ID, ContentID: x.ContentID, Name: x.Name, Version: x.Version}
	if l := x.DeliveryDataList; l != nil {
		if len(l.Items) > maxList {
			return nil, listError("DeliveryData")
		}
		for i, it := range l.Items {
			dd, err := deliveryFromWire(it)
			if err != nil {
				return nil, fmt.Errorf("DeliveryData[%d]: %w", i, err)
			}
			d.DeliveryData = append(d.DeliveryData, dd)
		}
	}
	if l := x.ContentKeyList; l != nil {
		if len(l.Items) > maxList {
			return nil, listError("ContentKey")
		}
		seen := map[keys.KID]bool{}
		for _, it := range l.Items {
			ck, err := keyFromWire(it)
			if err != nil {
				return nil, err
			}
			if seen[ck.KID] {
				return nil, fmt.Errorf("%w: ContentKey %s listed twice", ErrInvalid, ck.KID)
			}
			seen[ck.KID] = true
			d.ContentKeys = append(d.ContentKeys, ck)
		}
	}
	if l := x.DRMSystemList; l != nil {
		if len(l.Items) > maxList {
			return nil, listError("DRMSystem")
		}
		for _, it := range l.Items {
			s, err := systemFromWire(it)
			if err != nil {
				return nil, err
			}
			d.DRMSystems = append(d.DRMSystems, s)
		}
	}
	if l := x.PeriodList; l != nil {
		if len(l.Items) > maxList {
			return nil, listError("ContentKeyPeriod")
		}
		for i, it := range l.Items {
			p, err := periodFromWire(it)
			if err != nil {
				return nil, fmt.Errorf("ContentKeyPeriod[%d]: %w", i, err)
			}
			d.Periods = append(d.Periods, p)
		}
	}
	if l := x.UsageRuleList; l != nil {
		if len(l.Items) > maxList {
			return nil, listError("ContentKeyUsageRule")
		}
		for _, it := range l.Items {
			r, err := ruleFromWire(it)
			if err != nil {
				return nil, err
			}
			d.UsageRules = append(d.UsageRules, r)
		}
	}
	return d, nil
}

func listError(what string) error {
	return fmt.Errorf("%w: more than %d %s elements", ErrInvalid, maxList, what)
}

// decodeB64 decodes xs:base64Binary, which may be wrapped across lines.
func decodeB64(field, s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\n', '\r':
			return -1
		}
		return r
	}, s)
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not base64: %v", ErrInvalid, field, err)
	}
	return b, nil
}

func parseKID(field, s string) (keys.KID, error) {
	if s == "" {
		return keys.KID{}, fmt.Errorf("%w: missing %s", ErrInvalid, field)
	}
	kid, err := keys.ParseKID(s)
	if err != nil {
		return keys.KID{}, fmt.Errorf("%w: %s: %v", ErrInvalid, field, err)
	}
	return kid, nil
}

func keyFromWire(x xContentKey) (ContentKey, error) {
	kid, err := parseKID("ContentKey@kid", x.KID)
	if err != nil {
		return ContentKey{}, err
	}
	ck := ContentKey{KID: kid, CommonEncryptionScheme: x.CommonEncryptionScheme, ContentID: x.ContentID}
	if x.ExplicitIV != "" {
		iv, err := decodeB64("ContentKey@explicitIV", x.ExplicitIV)
		if err != nil {
			return ContentKey{}, err
		}
		if len(iv) != 16 && len(iv) != 8 {
			return ContentKey{}, fmt.Errorf("%w: ContentKey %s: explicitIV has %d bytes, want 8 or 16", ErrInvalid, kid, len(iv))
		}
		ck.ExplicitIV = iv
	}
	if x.Data == nil || x.Data.Secret == nil {
		return ck, nil
	}
	s := x.Data.Secret
	switch {
	case s.PlainValue != nil && s.EncryptedValue != nil:
		return ContentKey{}, fmt.Errorf("%w: ContentKey %s has both PlainValue and EncryptedValue", ErrInvalid, kid)
	case s.PlainValue != nil:
		v, err := decodeB64("PlainValue", s.PlainValue.Text)
		if err != nil {
			return ContentKey{}, err
		}
		if len(v) != len(keys.Key{}) {
			return ContentKey{}, fmt.Errorf("%w: ContentKey %s: PlainValue has %d bytes, want 16", ErrInvalid, kid, len(v))
		}
		k := keys.Key(v)
		ck.Value = &k
	case s.EncryptedValue != nil:
		ev, err := encryptedFromWire(s.EncryptedValue)
		if err != nil {
			return ContentKey{}, fmt.Errorf("ContentKey %s: %w", kid, err)
		}
		if s.ValueMAC != nil {
			if ev.MAC, err = decodeB64("ValueMAC", s.ValueMAC.Text); err != nil {
				return ContentKey{}, err
			}
		}
		ck.Encrypted = &ev
	}
	return ck, nil
}

func encryptedFromWire(x *xEncrypted) (EncryptedValue, error) {
	var ev EncryptedValue
	if x.Method != nil {
		ev.Algorithm = x.Method.Algorithm
	}
	if x.CipherData == nil || x.CipherData.CipherValue == nil {
		return ev, fmt.Errorf("%w: EncryptedValue without CipherValue", ErrInvalid)
	}
	v, err := decodeB64("CipherValue", x.CipherData.CipherValue.Text)
	if err != nil {
		return ev, err
	}
	if len(v) == 0 {
		return ev, fmt.Errorf("%w: empty CipherValue", ErrInvalid)
	}
	ev.CipherValue = v
	return ev, nil
}

func deliveryFromWire(x xDeliveryData) (DeliveryData, error) {
	dd := DeliveryData{ID: x.ID, Name: x.Name}
	if x.DeliveryKey == nil {
		return dd, fmt.Errorf("%w: missing DeliveryKey", ErrInvalid)
	}
	for _, xd := range x.DeliveryKey.X509Data {
		for _, c := range xd.Certificates {
			if dd.Certificate != nil {
				return dd, fmt.Errorf("%w: DeliveryKey holds more than one certificate", ErrInvalid)
			}
			der, err := decodeB64("X509Certificate", c.Text)
			if err != nil {
				return dd, err
			}
			dd.Certificate = der
		}
	}
	if dd.Certificate == nil {
		return dd, fmt.Errorf("%w: DeliveryKey holds no X509Certificate", ErrInvalid)
	}
	if k := x.DocumentKey; k != nil && k.Data != nil && k.Data.Secret != nil && k.Data.Secret.EncryptedValue != nil {
		ev, err := encryptedFromWire(k.Data.Secret.EncryptedValue)
		if err != nil {
			return dd, fmt.Errorf("DocumentKey: %w", err)
		}
		dd.WrappedDocumentKey = ev.CipherValue
	}
	if m := x.MACMethod; m != nil {
		dd.MACAlgorithm = m.Algorithm
		if m.MACKey != nil {
			ev, err := encryptedFromWire(m.MACKey)
			if err != nil {
				return dd, fmt.Errorf("MACKey: %w", err)
			}
			dd.WrappedMACKey = ev.CipherValue
		}
	}
	if x.Description != nil {
		dd.Description = x.Description.Text
	}
	if x.SendingEntity != nil {
		dd.SendingEntity = x.SendingEntity.Text
	}
	if x.ReceivingEntity != nil {
		dd.ReceivingEntity = x.ReceivingEntity.Text
	}
	return dd, nil
}

func fieldFromWire(name string, t *xText) (Field, error) {
	if t == nil {
		return Field{}, nil
	}
	v, err := decodeB64(name, t.Text)
	if err != nil {
		return Field{}, err
	}
	return Field{Present: true, Value: v}, nil
}

func systemFromWire(x xDRMSystem) (DRMSystem, error) {
	kid, err := parseKID("DRMSystem@kid", x.KID)
	if err != nil {
		return DRMSystem{}, err
	}
	if x.SystemID == "" {
		return DRMSystem{}, fmt.Errorf("%w: DRMSystem for kid %s: missing systemId", ErrInvalid, kid)
	}
	sid, err := drm.ParseSystemID(x.SystemID)
	if err != nil {
		return DRMSystem{}, fmt.Errorf("%w: DRMSystem@systemId: %v", ErrInvalid, err)
	}
	s := DRMSystem{ID: x.ID, KID: kid, SystemID: sid, Name: x.Name}
	if s.PSSH, err = fieldFromWire("PSSH", x.PSSH); err != nil {
		return s, err
	}
	if s.ContentProtectionData, err = fieldFromWire("ContentProtectionData", x.ContentProtectionData); err != nil {
		return s, err
	}
	if s.URIExtXKey, err = fieldFromWire("URIExtXKey", x.URIExtXKey); err != nil {
		return s, err
	}
	if s.HDSSignalingData, err = fieldFromWire("HDSSignalingData", x.HDSSignalingData); err != nil {
		return s, err
	}
	if len(x.HLSSignalingData) > 2 {
		return s, fmt.Errorf("%w: DRMSystem %s/%s has more than two HLSSignalingData", ErrInvalid, sid, kid)
	}
	for _, h := range x.HLSSignalingData {
		v, err := decodeB64("HLSSignalingData", h.Text)
		if err != nil {
			return s, err
		}
		var dst *Field
		switch h.Playlist {
		case "media":
			dst = &s.HLSMedia
		case "master", "multiVariant":
			dst = &s.HLSMaster
		default:
			return s, fmt.Errorf("%w: HLSSignalingData@playlist %q, want media or master", ErrInvalid, h.Playlist)
		}
		if dst.Present {
			return s, fmt.Errorf("%w: DRMSystem %s/%s: two HLSSignalingData for playlist %s", ErrInvalid, sid, kid, h.Playlist)
		}
		*dst = Field{Present: true, Value: v}
	}
	if x.Smooth != nil {
		t := strings.TrimSpace(x.Smooth.Text)
		s.SmoothStreamingProtectionHeaderData = &t
	}
	return s, nil
}

func optInt(field, s string) (*int64, error) {
	if s == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%w: %s %q is not an integer", ErrInvalid, field, s)
	}
	return &n, nil
}

func optBool(field, s string) (*bool, error) {
	switch strings.TrimSpace(s) {
	case "":
		return nil, nil
	case "true", "1":
		v := true
		return &v, nil
	case "false", "0":
		v := false
		return &v, nil
	}
	return nil, fmt.Errorf("%w: %s %q is not a boolean", ErrInvalid, field, s)
}

func optTime(field, s string) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("%w: %s %q is not an xs:dateTime with a zone", ErrInvalid, field, s)
	}
	return &t, nil
}

func periodFromWire(x xPeriod) (ContentKeyPeriod, error) {
	p := ContentKeyPeriod{ID: x.ID, StartOffset: x.StartOffset, EndOffset: x.EndOffset}
	var err error
	if p.Index, err = optInt("ContentKeyPeriod@index", x.Index); err != nil {
		return p, err
	}
	if p.Start, err = optTime("ContentKeyPeriod@start", x.Start); err != nil {
		return p, err
	}
	if p.End, err = optTime("ContentKeyPeriod@end", x.End); err != nil {
		return p, err
	}
	if p.Start != nil && p.End != nil && !p.End.After(*p.Start) {
		return p, fmt.Errorf("%w: ContentKeyPeriod %s ends before it starts", ErrInvalid, p.ID)
	}
	return p, nil
}

func ruleFromWire(x xUsageRule) (UsageRule, error) {
	kid, err := parseKID("ContentKeyUsageRule@kid", x.KID)
	if err != nil {
		return UsageRule{}, err
	}
	r := UsageRule{ID: x.ID, KID: kid, IntendedTrackType: x.IntendedTrackType}
	for _, f := range x.KeyPeriodFilters {
		if f.PeriodID == "" {
			return r, fmt.Errorf("%w: KeyPeriodFilter without periodId", ErrInvalid)
		}
		r.KeyPeriodFilters = append(r.KeyPeriodFilters, f.PeriodID)
	}
	for _, f := range x.LabelFilters {
		r.LabelFilters = append(r.LabelFilters, f.Label)
	}
	for _, f := range x.VideoFilters {
		var v VideoFilter
		if v.MinPixels, err = optInt("VideoFilter@minPixels", f.MinPixels); err != nil {
			return r, err
		}
		if v.MaxPixels, err = optInt("VideoFilter@maxPixels", f.MaxPixels); err != nil {
			return r, err
		}
		if v.HDR, err = optBool("VideoFilter@hdr", f.HDR); err != nil {
			return r, err
		}
		if v.WCG, err = optBool("VideoFilter@wcg", f.WCG); err != nil {
			return r, err
		}
		if v.MinFPS, err = optInt("VideoFilter@minFps", f.MinFPS); err != nil {
			return r, err
		}
		if v.MaxFPS, err = optInt("VideoFilter@maxFps", f.MaxFPS); err != nil {
			return r, err
		}
		r.VideoFilters = append(r.VideoFilters, v)
	}
	for _, f := range x.AudioFilters {
		var a AudioFilter
		if a.MinChannels, err = optInt("AudioFilter@minChannels", f.MinChannels); err != nil {
			return r, err
		}
		if a.MaxChannels, err = optInt("AudioFilter@maxChannels", f.MaxChannels); err != nil {
			return r, err
		}
		r.AudioFilters = append(r.AudioFilters, a)
	}
	for _, f := range x.BitrateFilters {
		var bf BitrateFilter
		if bf.MinBitrate, err = optInt("BitrateFilter@minBitrate", f.MinBitrate); err != nil {
			return r, err
		}
		if bf.MaxBitrate, err = optInt("BitrateFilter@maxBitrate", f.MaxBitrate); err != nil {
			return r, err
		}
		r.BitrateFilters = append(r.BitrateFilters, bf)
	}
	return r, nil
}
