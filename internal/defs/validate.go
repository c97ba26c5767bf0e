package defs

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Shared field checks. Each takes the JSON path of the field it checks.

// IsGUID reports whether s is a GUID in the 8-4-4-4-12 form every AMS SDK
// sends (either case): the one check of that shape, shared by the URL
// grammar (streamurl) and OData literals (odata).
func IsGUID(s string) bool { return isGUID(s) }

func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isHex(c) {
				return false
			}
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func checkGUID(path, s string) error {
	if s == "" {
		return required(path)
	}
	if !isGUID(s) {
		return errorf(path, "%q is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", s)
	}
	return nil
}

// durationRE matches ISO 8601 durations as .NET's XmlConvert.ToTimeSpan
// reads them (AMS parses PlayReady relative dates that way), optionally
// negative.
var durationRE = regexp.MustCompile(`^-?P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$`)

func checkDuration(path, s string) error {
	if s == "" {
		return nil
	}
	body := strings.TrimPrefix(s, "-")
	if !durationRE.MatchString(s) || body == "P" || strings.HasSuffix(s, "T") {
		return errorf(path, "%q is not an ISO 8601 duration (e.g. PT1H30M)", s)
	}
	return nil
}

// checkAbsoluteURL requires an absolute URL with one of schemes.
func checkAbsoluteURL(path, s string, schemes ...string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return errorf(path, "must be an absolute URL")
	}
	for _, sc := range schemes {
		if strings.EqualFold(u.Scheme, sc) {
			return nil
		}
	}
	return errorf(path, "URL scheme must be one of %s", strings.Join(schemes, ", "))
}

// checkBase64String checks a base64 field the specification types as a
// string (StreamingLocatorContentKey.value, fairPlayPfx, Akamai base64Key)
// and returns the decoded bytes.
func checkBase64String(path, s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, errorf(path, "must be a standard base64 string")
	}
	return b, nil
}

// checkXML requires a well-formed XML document with one root element, as
// Silverlight/Flash cross-site policy files are.
func checkXML(path, s string) error {
	if s == "" {
		return nil
	}
	if !utf8.ValidString(s) {
		return errorf(path, "must be UTF-8 XML")
	}
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = true
	depth, roots := 0, 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return errorf(path, "must be well-formed XML: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
			}
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return errorf(path, "must be well-formed XML: text outside the root element")
			}
		}
	}
	if roots != 1 {
		return errorf(path, "must be well-formed XML with exactly one root element")
	}
	return nil
}

// checkTags applies ARM's tag limits: at most 50 tags, names of 1–512
// characters without < > % & \ ? /, values of at most 256 characters.
func checkTags(path string, tags map[string]string) error {
	if len(tags) > 50 {
		return errorf(path, "at most 50 tags are allowed")
	}
	for k, v := range tags {
		p := join(path, k)
		switch {
		case k == "" || utf8.RuneCountInString(k) > 512:
			return errorf(p, "tag names must be 1-512 characters")
		case strings.ContainsAny(k, `<>%&\?/`):
			return errorf(p, `tag names must not contain < > %% & \ ? /`)
		case utf8.RuneCountInString(v) > 256:
			return errorf(p, "tag values must be at most 256 characters")
		}
	}
	return nil
}

// hostLabelRE matches one DNS label.
var hostLabelRE = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$`)

// checkHostName requires a DNS host name (custom host names of streaming
// endpoints).
func checkHostName(path, s string) error {
	if s == "" || len(s) > 253 {
		return errorf(path, "must be a host name of 1-253 characters")
	}
	for _, l := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if !hostLabelRE.MatchString(l) {
			return errorf(path, "%q is not a valid host name", s)
		}
	}
	return nil
}
