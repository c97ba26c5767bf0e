package streamurl

import (
	"strings"

	"github.com/lockstream/lockstream/internal/defs"
)

// parseArgs parses key=value items into a. Keys and enumerated values are
// case-insensitive; names keep their case. Unknown keys, repeated keys and
// empty values are errors (see the package documentation for why).
func parseArgs(a *Args, items []string) *Error {
	var seen [6]bool // indexed like argKeys
	cbcsAlias := false
	for _, item := range items {
		if item == "" {
			return syntaxErr("empty argument")
		}
		k, v, ok := strings.Cut(item, "=")
		if !ok {
			return syntaxErr("argument %s is not key=value", q(item))
		}
		key := strings.ToLower(k)
		idx := argIndex(key)
		if idx < 0 {
			return syntaxErr("unknown argument %s", q(k))
		}
		if seen[idx] {
			return syntaxErr("argument %s is repeated", q(key))
		}
		seen[idx] = true
		if v == "" {
			return syntaxErr("argument %s has an empty value", q(key))
		}
		switch key {
		case "format":
			f, ok := lookupFold(formatTokens[:], v)
			if !ok || f == int(FormatSmooth) {
				return syntaxErr("format value %s is not supported", q(v))
			}
			a.Format = Format(f)
		case "encryption":
			e, ok := lookupFold(encTokens[:], v)
			switch {
			case ok && e != int(EncNone):
				a.Encryption = Encryption(e)
			case strings.EqualFold(v, "cbcs"):
				a.Encryption, cbcsAlias = EncCBCS, true
			default:
				return syntaxErr("encryption value %s is not supported", q(v))
			}
		case "filter":
			fs, err := parseFilters(v)
			if err != nil {
				return err
			}
			a.Filters = fs
		case "audio-only":
			if !strings.EqualFold(v, "false") {
				return syntaxErr("audio-only value %s is not supported (only false)", q(v))
			}
			a.AudioOnlyFalse = true
		case "type":
			if !strings.EqualFold(v, "keyframes") {
				return syntaxErr("type value %s is not supported (only keyframes)", q(v))
			}
			a.Keyframes = true
		case "audiotrack":
			if err := checkTrackName(v); err != nil {
				return err
			}
			a.AudioTrack = v
		}
	}
	// AMS took "cbcs" as a spelling of "cbcs-aapl" only where CBCS is not
	// FairPlay-specific; with TS-based HLS it was not a recognised value.
	if cbcsAlias && !a.Format.IsCMAF() {
		return syntaxErr("encryption value \"cbcs\" needs format m3u8-cmaf, mpd-time-csf or mpd-time-cmaf (use cbcs-aapl)")
	}
	return nil
}

// argKeys lists the keys in canonical order; Args.String writes them so.
var argKeys = [...]string{"format", "encryption", "filter", "audio-only", "type", "audiotrack"}

func argIndex(key string) int {
	for i, k := range argKeys {
		if k == key {
			return i
		}
	}
	return -1
}

// lookupFold finds v among tokens, ignoring case.
func lookupFold(tokens []string, v string) (int, bool) {
	for i, t := range tokens {
		if t != "" && strings.EqualFold(t, v) {
			return i, true
		}
	}
	return 0, false
}

// parseFilters splits "a;b;c" and checks each name with the AMS filter
// name rule (internal/defs), so that a name the management API would have
// refused is a syntax error here rather than a filter lookup.
func parseFilters(v string) ([]string, *Error) {
	names := strings.Split(v, ";")
	for i, n := range names {
		if n == "" {
			return nil, syntaxErr("empty filter name in %s", q(v))
		}
		if defs.ValidateName(defs.KindAssetFilter, n) != nil {
			return nil, syntaxErr("filter name %s is not valid (1-%d letters, digits, '-', '_', '.'; not ending in '.')", q(n), MaxNameChars)
		}
		for _, prev := range names[:i] {
			// Filter names are ARM resource names: case-insensitive.
			if strings.EqualFold(prev, n) {
				return nil, syntaxErr("filter %s is repeated", q(n))
			}
		}
	}
	return names, nil
}

// String renders a in canonical form: keys in the order format,
// encryption, filter, audio-only, type, audiotrack; lower-case tokens;
// audiotrack escaped for a path segment. It returns "" when a is empty.
func (a Args) String() string {
	var b strings.Builder
	add := func(k, v string) {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(v)
	}
	if a.Format != FormatSmooth {
		add("format", a.Format.String())
	}
	if a.Encryption != EncNone {
		add("encryption", a.Encryption.String())
	}
	if len(a.Filters) > 0 {
		add("filter", escapeSegment(strings.Join(a.Filters, ";")))
	}
	if a.AudioOnlyFalse {
		add("audio-only", "false")
	}
	if a.Keyframes {
		add("type", "keyframes")
	}
	if a.AudioTrack != "" {
		add("audiotrack", escapeSegment(a.AudioTrack))
	}
	return b.String()
}
