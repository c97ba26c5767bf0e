package vendor

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
)

// Usage is what a license template allows, in terms every vendor maps.
type Usage struct {
	Persistent bool
	// LicenseDuration, RentalDuration and PlaybackDuration are seconds;
	// 0 = unlimited.
	LicenseDuration, RentalDuration, PlaybackDuration int64
	// WidevineSecurityLevel is 1–5 (0: default); WidevineHDCP
	// HDCP_NONE/HDCP_V1/HDCP_V2.
	WidevineSecurityLevel int
	WidevineHDCP          string
	// CanRenew and RenewalDelay are Widevine's renewal settings.
	CanRenew     bool
	RenewalDelay int64
	// PlayReadySecurityLevel is 150, 2000 or 3000 (0: default).
	PlayReadySecurityLevel int
}

// UsageOf reads the configuration of the option that granted a key.
func UsageOf(cfg defs.ContentKeyPolicyConfiguration) (Usage, error) {
	var u Usage
	switch c := cfg.(type) {
	case *defs.ContentKeyPolicyWidevineConfiguration:
		var t struct {
			ContentKeySpecs []struct {
				SecurityLevel            int `json:"security_level"`
				RequiredOutputProtection struct {
					HDCP string `json:"hdcp"`
				} `json:"required_output_protection"`
			} `json:"content_key_specs"`
			PolicyOverrides struct {
				CanPersist       bool  `json:"can_persist"`
				CanRenew         bool  `json:"can_renew"`
				License          int64 `json:"license_duration_seconds"`
				Rental           int64 `json:"rental_duration_seconds"`
				Playback         int64 `json:"playback_duration_seconds"`
				RenewalDelay     int64 `json:"renewal_delay_seconds"`
				RenewalRetryHint int64 `json:"renewal_retry_interval_seconds"`
			} `json:"policy_overrides"`
		}
		if c.WidevineTemplate != "" {
			if err := json.Unmarshal([]byte(c.WidevineTemplate), &t); err != nil {
				return u, fmt.Errorf("decode widevine template: %w", err)
			}
		}
		po := t.PolicyOverrides
		u = Usage{Persistent: po.CanPersist, LicenseDuration: po.License, RentalDuration: po.Rental, PlaybackDuration: po.Playback,
			CanRenew: po.CanRenew, RenewalDelay: po.RenewalDelay}
		// The strictest spec wins: one key serves every track here.
		for _, s := range t.ContentKeySpecs {
			u.WidevineSecurityLevel = max(u.WidevineSecurityLevel, s.SecurityLevel)
			if h := s.RequiredOutputProtection.HDCP; h > u.WidevineHDCP {
				u.WidevineHDCP = h // HDCP_NONE < HDCP_V1 < HDCP_V2
			}
		}
	case *defs.ContentKeyPolicyPlayReadyConfiguration:
		if len(c.Licenses) == 0 {
			return u, nil
		}
		l := c.Licenses[0]
		u.Persistent = l.LicenseType == defs.ContentKeyPolicyPlayReadyLicenseTypePersistent
		if l.RelativeExpirationDate != "" {
			d, err := parseISODuration(l.RelativeExpirationDate)
			if err != nil {
				return u, fmt.Errorf("relativeExpirationDate: %w", err)
			}
			u.LicenseDuration = int64(d / time.Second)
		}
		if l.PlayRight != nil && l.PlayRight.FirstPlayExpiration != "" {
			d, err := parseISODuration(l.PlayRight.FirstPlayExpiration)
			if err != nil {
				return u, fmt.Errorf("firstPlayExpiration: %w", err)
			}
			u.PlaybackDuration = int64(d / time.Second)
		}
		switch l.SecurityLevel {
		case defs.SecurityLevelSL150:
			u.PlayReadySecurityLevel = 150
		case defs.SecurityLevelSL2000:
			u.PlayReadySecurityLevel = 2000
		case defs.SecurityLevelSL3000:
			u.PlayReadySecurityLevel = 3000
		}
	case *defs.ContentKeyPolicyFairPlayConfiguration:
		rental := int64(0)
		if c.RentalDuration != nil {
			rental = *c.RentalDuration
		}
		switch c.RentalAndLeaseKeyType {
		case defs.ContentKeyPolicyFairPlayRentalAndLeaseKeyTypePersistentUnlimited:
			u.Persistent = true
		case defs.ContentKeyPolicyFairPlayRentalAndLeaseKeyTypePersistentLimited:
			u.Persistent, u.LicenseDuration = true, rental
		case defs.ContentKeyPolicyFairPlayRentalAndLeaseKeyTypeDualExpiry:
			u.Persistent = true
			if o := c.OfflineRentalConfiguration; o != nil {
				if o.StorageDurationSeconds != nil {
					u.RentalDuration = *o.StorageDurationSeconds
				}
				if o.PlaybackDurationSeconds != nil {
					u.PlaybackDuration = *o.PlaybackDurationSeconds
				}
			}
		default:
			u.LicenseDuration = rental
		}
	default:
		return u, fmt.Errorf("no license template in a %T", cfg)
	}
	return u, nil
}

var isoDuration = regexp.MustCompile(`^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

// parseISODuration reads the ISO 8601 durations AMS templates use
// (PnDTnHnMnS).
func parseISODuration(s string) (time.Duration, error) {
	m := isoDuration.FindStringSubmatch(s)
	if m == nil || s == "P" || s == "PT" {
		return 0, fmt.Errorf("%q is not an ISO 8601 duration", s)
	}
	var d time.Duration
	for i, unit := range []time.Duration{24 * time.Hour, time.Hour, time.Minute} {
		if m[i+1] != "" {
			n, err := strconv.ParseInt(m[i+1], 10, 32)
			if err != nil {
				return 0, fmt.Errorf("%q: %w", s, err)
			}
			d += time.Duration(n) * unit
		}
	}
	if m[4] != "" {
		f, err := strconv.ParseFloat(m[4], 64)
		if err != nil {
			return 0, fmt.Errorf("%q: %w", s, err)
		}
		d += time.Duration(f * float64(time.Second))
	}
	return d, nil
}
