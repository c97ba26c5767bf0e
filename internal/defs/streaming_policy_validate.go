package defs

import (
	"net/url"
	"slices"
	"strings"
)

// Validate checks a create body.
func (p *StreamingPolicy) Validate() error {
	if p.Properties == nil {
		return required("properties")
	}
	return p.Properties.validate("properties")
}

func (p *StreamingPolicyProperties) validate(path string) error {
	if p.NoEncryption == nil && p.EnvelopeEncryption == nil && p.CommonEncryptionCenc == nil && p.CommonEncryptionCbcs == nil {
		return errorf(path, "at least one of noEncryption, envelopeEncryption, commonEncryptionCenc, commonEncryptionCbcs is required")
	}
	if n := p.DefaultContentKeyPolicyName; n != "" {
		if err := checkRefName(join(path, "defaultContentKeyPolicyName"), KindContentKeyPolicy, n); err != nil {
			return err
		}
	}
	if b := p.NoEncryption; b != nil {
		if err := checkProtocols(join(path, "noEncryption.enabledProtocols"), b.EnabledProtocols); err != nil {
			return err
		}
	}
	if b := p.EnvelopeEncryption; b != nil {
		bp := join(path, "envelopeEncryption")
		if err := checkBlock(bp, b.EnabledProtocols, b.ClearTracks, b.ContentKeys); err != nil {
			return err
		}
		if err := checkTemplate(join(bp, "customKeyAcquisitionUrlTemplate"), b.CustomKeyAcquisitionURLTemplate, false,
			TokenAlternativeMediaID, TokenContentKeyID); err != nil {
			return err
		}
	}
	if b := p.CommonEncryptionCenc; b != nil {
		bp := join(path, "commonEncryptionCenc")
		if err := checkBlock(bp, b.EnabledProtocols, b.ClearTracks, b.ContentKeys); err != nil {
			return err
		}
		if d := b.Drm; d != nil {
			if err := checkCommonDrm(join(bp, "drm"), d.PlayReady, d.Widevine); err != nil {
				return err
			}
		}
		if err := checkClearKey(join(bp, "clearKeyEncryptionConfiguration"), b.ClearKeyEncryptionConfiguration); err != nil {
			return err
		}
	}
	if b := p.CommonEncryptionCbcs; b != nil {
		bp := join(path, "commonEncryptionCbcs")
		if err := checkBlock(bp, b.EnabledProtocols, b.ClearTracks, b.ContentKeys); err != nil {
			return err
		}
		if d := b.Drm; d != nil {
			dp := join(bp, "drm")
			if err := checkCommonDrm(dp, d.PlayReady, d.Widevine); err != nil {
				return err
			}
			if f := d.FairPlay; f != nil {
				fp := join(dp, "fairPlay")
				if f.AllowPersistentLicense == nil {
					return required(join(fp, "allowPersistentLicense"))
				}
				// Players swap skd:// for https://, so AMS-style skd
				// templates are accepted too.
				if err := checkTemplate(join(fp, "customLicenseAcquisitionUrlTemplate"), f.CustomLicenseAcquisitionURLTemplate, true,
					TokenAlternativeMediaID, TokenContentKeyID); err != nil {
					return err
				}
			}
		}
		if err := checkClearKey(join(bp, "clearKeyEncryptionConfiguration"), b.ClearKeyEncryptionConfiguration); err != nil {
			return err
		}
	}
	return nil
}

// checkBlock validates what the three encryption blocks share.
func checkBlock(path string, ep *EnabledProtocols, clearTracks []TrackSelection, keys *StreamingPolicyContentKeys) error {
	if err := checkProtocols(join(path, "enabledProtocols"), ep); err != nil {
		return err
	}
	if err := checkTrackSelections(join(path, "clearTracks"), clearTracks); err != nil {
		return err
	}
	if keys == nil {
		return nil
	}
	kp := join(path, "contentKeys")
	// Labels are how locators' labelReferenceInStreamingPolicy pick a key,
	// so they must be unambiguous (compared case-insensitively).
	seen := map[string]bool{}
	label := func(p, l string) error {
		if l == "" {
			return nil
		}
		k := strings.ToLower(l)
		if seen[k] {
			return errorf(p, "label %q is used more than once", l)
		}
		seen[k] = true
		return nil
	}
	if d := keys.DefaultKey; d != nil {
		dp := join(kp, "defaultKey")
		if err := label(join(dp, "label"), d.Label); err != nil {
			return err
		}
		if d.PolicyName != "" {
			if err := checkRefName(join(dp, "policyName"), KindContentKeyPolicy, d.PolicyName); err != nil {
				return err
			}
		}
	}
	mp := join(kp, "keyToTrackMappings")
	for i, m := range keys.KeyToTrackMappings {
		ip := index(mp, i)
		if err := label(join(ip, "label"), m.Label); err != nil {
			return err
		}
		if m.PolicyName != "" {
			if err := checkRefName(join(ip, "policyName"), KindContentKeyPolicy, m.PolicyName); err != nil {
				return err
			}
		}
		if err := checkTrackSelections(join(ip, "tracks"), m.Tracks); err != nil {
			return err
		}
	}
	return nil
}

func checkProtocols(path string, ep *EnabledProtocols) error {
	if ep == nil {
		return nil
	}
	for _, f := range []struct {
		name string
		v    *bool
	}{{"download", ep.Download}, {"dash", ep.Dash}, {"hls", ep.Hls}, {"smoothStreaming", ep.SmoothStreaming}} {
		if f.v == nil {
			return required(join(path, f.name))
		}
	}
	return nil
}

func checkTrackSelections(path string, sels []TrackSelection) error {
	for i, s := range sels {
		sp := join(index(path, i), "trackSelections")
		if len(s.TrackSelections) == 0 {
			return errorf(sp, "must hold at least one condition")
		}
		for j, c := range s.TrackSelections {
			cp := index(sp, j)
			// "Unknown" is accepted here: the specification's own example
			// uses operation "Unknown" in clearTracks.
			if err := checkEnum(join(cp, "property"), c.Property, TrackPropertyTypeFourCC, TrackPropertyTypeUnknown); err != nil {
				return err
			}
			if err := checkEnum(join(cp, "operation"), c.Operation, TrackPropertyCompareOperationEqual, TrackPropertyCompareOperationUnknown); err != nil {
				return err
			}
			if c.Property == TrackPropertyTypeFourCC && strings.TrimSpace(c.Value) == "" {
				return required(join(cp, "value"))
			}
		}
	}
	return nil
}

func checkCommonDrm(path string, pr *StreamingPolicyPlayReadyConfiguration, wv *StreamingPolicyWidevineConfiguration) error {
	if pr != nil {
		if err := checkTemplate(join(path, "playReady.customLicenseAcquisitionUrlTemplate"), pr.CustomLicenseAcquisitionURLTemplate, false,
			TokenAlternativeMediaID, TokenContentKeyID); err != nil {
			return err
		}
	}
	if wv != nil {
		if err := checkTemplate(join(path, "widevine.customLicenseAcquisitionUrlTemplate"), wv.CustomLicenseAcquisitionURLTemplate, false,
			TokenAlternativeMediaID, TokenContentKeyID); err != nil {
			return err
		}
	}
	return nil
}

func checkClearKey(path string, ck *ClearKeyEncryptionConfiguration) error {
	if ck == nil {
		return nil
	}
	// One ClearKey request may ask for several key ids, so the template
	// cannot carry {ContentKeyId}.
	return checkTemplate(join(path, "customKeysAcquisitionUrlTemplate"), ck.CustomKeysAcquisitionURLTemplate, false, TokenAlternativeMediaID)
}

// checkTemplate requires a custom acquisition URL template to use only the
// given {…} tokens (the legacy alias is always allowed) and to be an
// absolute http(s) URL (or skd when allowSkd) once they are substituted.
func checkTemplate(path, tmpl string, allowSkd bool, tokens ...string) error {
	if tmpl == "" {
		return nil
	}
	tokens = append(tokens, TokenAssetAlternativeID)
	var b strings.Builder
	rest := tmpl
	for {
		i := strings.IndexAny(rest, "{}")
		if i < 0 {
			b.WriteString(rest)
			break
		}
		if rest[i] == '}' {
			return errorf(path, "has a '}' without a matching '{'")
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return errorf(path, "has a '{' without a matching '}'")
		}
		tok := rest[i : i+j+1]
		if !slices.Contains(tokens, tok) {
			return errorf(path, "unknown token %q; allowed: %s", tok, strings.Join(tokens, ", "))
		}
		b.WriteString(rest[:i])
		b.WriteString("token")
		rest = rest[i+j+1:]
	}
	u, err := url.Parse(b.String())
	if err != nil || u.Host == "" {
		return errorf(path, "must be an absolute URL")
	}
	switch s := strings.ToLower(u.Scheme); {
	case s == "https" || s == "http":
	case s == "skd" && allowSkd:
	default:
		return errorf(path, "URL scheme %q is not allowed", u.Scheme)
	}
	return nil
}
