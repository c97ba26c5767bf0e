package protect

import (
	"strings"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/streamurl"
)

// clearTracks returns the policy block's clear-track selections for e.
func clearTracks(p *defs.StreamingPolicyProperties, e streamurl.Encryption) []defs.TrackSelection {
	switch {
	case e == streamurl.EncCBC && p.EnvelopeEncryption != nil:
		return p.EnvelopeEncryption.ClearTracks
	case e == streamurl.EncCENC && p.CommonEncryptionCenc != nil:
		return p.CommonEncryptionCenc.ClearTracks
	case e == streamurl.EncCBCS && p.CommonEncryptionCbcs != nil:
		return p.CommonEncryptionCbcs.ClearTracks
	}
	return nil
}

// selects reports whether any selection matches t; conditions within one
// selection are AND-ed, as AMS defines them.
func selects(sels []defs.TrackSelection, t *media.Track) bool {
	for _, sel := range sels {
		if len(sel.TrackSelections) == 0 {
			continue
		}
		all := true
		for _, c := range sel.TrackSelections {
			if !conditionMatches(c, t) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

func conditionMatches(c defs.TrackPropertyCondition, t *media.Track) bool {
	if c.Property != defs.TrackPropertyTypeFourCC || c.Operation != defs.TrackPropertyCompareOperationEqual {
		return false
	}
	return strings.EqualFold(strings.TrimSpace(c.Value), t.FourCC)
}

// TrackKey returns the key that encrypts t under scheme e, nil when the
// policy leaves t clear (clearTracks). A key mapped to t's tracks
// (keyToTrackMappings) wins over the scheme's default key; no key at all
// is a configuration the origin must refuse rather than serve in the
// clear (ErrNoKey).
func (l *Locator) TrackKey(e streamurl.Encryption, t *media.Track) (*ContentKey, error) {
	if selects(clearTracks(l.Policy, e), t) {
		return nil, nil
	}
	typ := KeyTypeOf(e)
	var def *ContentKey
	for i := range l.Keys {
		k := &l.Keys[i]
		if k.Type != typ {
			continue
		}
		if len(k.Tracks) == 0 {
			if def == nil {
				def = k
			}
			continue
		}
		if selects(k.Tracks, t) {
			return k, nil
		}
	}
	if def == nil {
		return nil, refuse(ErrNoKey, "the streaming locator has no %s content key for track %q", typ, t.Name)
	}
	return def, nil
}
