package defs

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Resource kinds accepted by ValidateName: the ARM collection segments, as
// in store.Kind (compared case-insensitively, like ARM routes).
const (
	KindAccount           = "mediaservices"
	KindAsset             = "assets"
	KindAssetFilter       = "assetFilters"
	KindAccountFilter     = "accountFilters"
	KindContentKeyPolicy  = "contentKeyPolicies"
	KindStreamingPolicy   = "streamingPolicies"
	KindStreamingLocator  = "streamingLocators"
	KindStreamingEndpoint = "streamingEndpoints"
	KindLiveEvent         = "liveEvents"
	KindLiveOutput        = "liveOutputs"
	KindTransform         = "transforms"
	KindJob               = "jobs"
	KindTrack             = "tracks"
	KindLicenseServer     = "licenseServers" // Lockstream addition
	KindKeyProvider       = "keyProviders"   // Lockstream addition
)

var (
	accountNameRE = regexp.MustCompile(`^[a-z0-9]{3,24}$`)
	// Streaming endpoints, live events and live outputs become host-name
	// and URL parts: the specification's path pattern.
	dnsishNameRE = regexp.MustCompile(`^[a-zA-Z0-9]+(-*[a-zA-Z0-9])*$`)
	// Filter and track names appear inside streaming URLs
	// (manifest(filter=a;b), Manifest(track,…)), so they are kept to
	// characters that need no escaping there.
	urlNameRE = regexp.MustCompile(`^[-a-zA-Z0-9_.]+$`)
)

// ValidateName checks a resource name from the request path against the
// rules for kind (an ARM collection segment such as "assets"):
//
//   - mediaservices: 3–24 lower-case letters and digits.
//   - streamingEndpoints (≤ 24), liveEvents (≤ 32), liveOutputs (≤ 256):
//     ^[a-zA-Z0-9]+(-*[a-zA-Z0-9])*$ as in the specification.
//   - assetFilters, accountFilters, tracks: 1–260 of [-a-zA-Z0-9_.], not
//     ending in ".".
//   - assets, contentKeyPolicies, streamingPolicies, streamingLocators,
//     transforms, jobs: ARM's general rule — 1–260 characters, no control
//     characters, none of / \ ? # % (they break the ARM path or its
//     percent-encoding), no leading or trailing space, not ending in ".".
//
// The returned error is a *FieldError with Field "name"; an unknown kind is
// a programming error and returns a plain error.
func ValidateName(kind, name string) error {
	k := strings.ToLower(kind)
	switch k {
	case strings.ToLower(KindAccount):
		if !accountNameRE.MatchString(name) {
			return errorf("name", "account names must be 3-24 lower-case letters and digits")
		}
		return nil
	case strings.ToLower(KindStreamingEndpoint):
		return checkDNSishName(name, 24)
	case strings.ToLower(KindLiveEvent):
		return checkDNSishName(name, 32)
	case strings.ToLower(KindLiveOutput):
		return checkDNSishName(name, 256)
	case strings.ToLower(KindAssetFilter), strings.ToLower(KindAccountFilter), strings.ToLower(KindTrack):
		if err := checkLength(name, 260); err != nil {
			return err
		}
		if !urlNameRE.MatchString(name) || strings.HasSuffix(name, ".") {
			return errorf("name", "%q may only contain letters, digits, '-', '_' and '.', and must not end in '.'", name)
		}
		return nil
	case strings.ToLower(KindAsset), strings.ToLower(KindContentKeyPolicy), strings.ToLower(KindStreamingPolicy),
		strings.ToLower(KindStreamingLocator), strings.ToLower(KindTransform), strings.ToLower(KindJob),
		strings.ToLower(KindLicenseServer), strings.ToLower(KindKeyProvider):
		return checkARMName(name)
	case strings.ToLower(KindEventSubscription):
		return checkEventSubscriptionName(name)
	}
	return fmt.Errorf("defs: unknown resource kind %q", kind)
}

func checkLength(name string, maxLen int) error {
	if name == "" {
		return required("name")
	}
	if !utf8.ValidString(name) {
		return errorf("name", "must be valid UTF-8")
	}
	if n := utf8.RuneCountInString(name); n > maxLen {
		return errorf("name", "must be at most %d characters (got %d)", maxLen, n)
	}
	return nil
}

func checkDNSishName(name string, maxLen int) error {
	if err := checkLength(name, maxLen); err != nil {
		return err
	}
	if !dnsishNameRE.MatchString(name) {
		return errorf("name", "%q must be letters and digits, optionally joined by '-'", name)
	}
	return nil
}

func checkARMName(name string) error {
	if err := checkLength(name, 260); err != nil {
		return err
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return errorf("name", "must not contain control characters")
		}
		if strings.ContainsRune(`/\?#%`, r) {
			return errorf("name", "must not contain %q", r)
		}
	}
	if strings.HasSuffix(name, ".") {
		return errorf("name", "must not end in '.'")
	}
	if strings.TrimSpace(name) != name {
		return errorf("name", "must not start or end with white space")
	}
	return nil
}

// checkRefName validates a reference to another resource by name (for
// example a locator's assetName), reporting under path instead of "name".
func checkRefName(path, kind, name string) error {
	if name == "" {
		return required(path)
	}
	err := ValidateName(kind, name)
	var fe *FieldError
	if errors.As(err, &fe) {
		return &FieldError{Field: path, Msg: fe.Msg}
	}
	return err
}
