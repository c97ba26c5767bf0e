package keyprovider

import (
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/lockstream/lockstream/internal/cpix"
	"github.com/lockstream/lockstream/internal/drm"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/packager/hls"
	"github.com/lockstream/lockstream/internal/protect"
)

// Limits on one system's signalling: it is written into every manifest.
const (
	maxXML      = 16 << 10
	maxXMLDepth = 16
	maxHLSLine  = 16 << 10
)

// signalOf collects and checks the signalling of kid for every system
// asked for. A system the provider answered nothing usable for is an
// error: manifests would otherwise silently lack that DRM.
func signalOf(d *cpix.Document, kid keys.KID, systems []drm.SystemID) (*protect.VendorSignal, error) {
	sig := &protect.VendorSignal{}
	for _, id := range systems {
		var s *cpix.DRMSystem
		for i := range d.DRMSystems {
			if d.DRMSystems[i].KID == kid && d.DRMSystems[i].SystemID == id {
				s = &d.DRMSystems[i]
				break
			}
		}
		if s == nil {
			return nil, fmt.Errorf("answered no DRMSystem %s (%s) for kid %s", id.Name(), id, kid)
		}
		vs, err := systemOf(s)
		if err != nil {
			return nil, fmt.Errorf("DRMSystem %s for kid %s: %w", id.Name(), kid, err)
		}
		sig.Systems = append(sig.Systems, vs)
	}
	return sig, nil
}

// systemOf checks one DRMSystem's fields and converts them.
func systemOf(s *cpix.DRMSystem) (protect.VendorSystem, error) {
	vs := protect.VendorSystem{SystemID: s.SystemID}
	if v := s.PSSH.Value; len(v) > 0 {
		p, err := drm.ParsePSSH(v)
		if err != nil {
			return vs, fmt.Errorf("PSSH: %w", err)
		}
		if p.SystemID != s.SystemID {
			return vs, fmt.Errorf("PSSH names system %s", p.SystemID)
		}
		vs.PSSH = v
	}
	if v := s.ContentProtectionData.Value; len(v) > 0 {
		if err := checkXMLFragment(v); err != nil {
			return vs, fmt.Errorf("ContentProtectionData: %w", err)
		}
		vs.ContentProtection = string(v)
	}
	line, master := s.HLSMedia.Value, false
	if len(line) == 0 {
		line, master = s.HLSMaster.Value, true
	}
	if len(line) > 0 {
		k, err := ParseKeyTag(string(line), master)
		if err != nil {
			return vs, fmt.Errorf("HLSSignalingData: %w", err)
		}
		vs.HLS = &k
	}
	if h := s.SmoothStreamingProtectionHeaderData; h != nil && *h != "" {
		if _, err := base64.StdEncoding.DecodeString(*h); err != nil {
			return vs, fmt.Errorf("SmoothStreamingProtectionHeaderData is not base64")
		}
		vs.SmoothHeader = *h
	}
	if len(vs.PSSH) == 0 && vs.ContentProtection == "" && vs.HLS == nil {
		return vs, errors.New("carries no PSSH, ContentProtectionData or HLSSignalingData")
	}
	return vs, nil
}

// checkXMLFragment accepts element content that can go inside a DASH
// ContentProtection element as it is: well-formed, no DTD, entity,
// processing instruction or comment, bounded size and depth.
func checkXMLFragment(b []byte) error {
	if len(b) > maxXML {
		return fmt.Errorf("larger than %d bytes", maxXML)
	}
	doc := "<f>" + string(b) + "</f>"
	dec := xml.NewDecoder(strings.NewReader(doc))
	dec.Strict = true
	dec.Entity = nil
	depth := 0 // the wrapper counts as 1
	for {
		t, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("not well-formed XML: %w", err)
		}
		switch t := t.(type) {
		case xml.StartElement:
			if depth++; depth > maxXMLDepth+1 {
				return errors.New("nested too deeply")
			}
		case xml.EndElement:
			// Only the wrapper's own end tag, at the very end, may bring
			// the depth to 0: a fragment that closes it ("</f><x>…")
			// would escape the ContentProtection element in the MPD.
			if depth--; depth == 0 && dec.InputOffset() != int64(len(doc)) {
				return errors.New("closes an element it did not open")
			}
		case xml.Directive, xml.ProcInst, xml.Comment:
			return fmt.Errorf("holds a %T", t)
		}
	}
	return nil
}

// ParseKeyTag parses one #EXT-X-KEY line (#EXT-X-SESSION-KEY when
// master) as a SPEKE HLSSignalingData carries it (RFC 8216 §4.2
// attribute list). Attributes Lockstream does not write (KEYID) are
// dropped; a repeated attribute, a second line or a bare value is an
// error.
func ParseKeyTag(line string, master bool) (hls.Key, error) {
	var k hls.Key
	if len(line) > maxHLSLine {
		return k, fmt.Errorf("line longer than %d bytes", maxHLSLine)
	}
	line = strings.TrimRight(line, "\r\n")
	prefix := "#EXT-X-KEY:"
	if master {
		prefix = "#EXT-X-SESSION-KEY:"
	}
	rest, ok := strings.CutPrefix(line, prefix)
	if !ok {
		return k, fmt.Errorf("does not start with %s", prefix)
	}
	if strings.ContainsAny(rest, "\r\n") {
		return k, errors.New("more than one line")
	}
	seen := map[string]bool{}
	for rest != "" {
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 {
			return k, fmt.Errorf("attribute without a value near %q", trunc(rest))
		}
		name := rest[:eq]
		for _, r := range name {
			if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return k, fmt.Errorf("invalid attribute name %q", trunc(name))
			}
		}
		rest = rest[eq+1:]
		var val string
		if strings.HasPrefix(rest, `"`) {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				return k, fmt.Errorf("unterminated quoted value of %s", name)
			}
			val, rest = rest[1:1+end], rest[2+end:]
		} else {
			end := strings.IndexByte(rest, ',')
			if end < 0 {
				end = len(rest)
			}
			val, rest = rest[:end], rest[end:]
			if strings.ContainsAny(val, `" `) || val == "" {
				return k, fmt.Errorf("invalid value of %s", name)
			}
		}
		if rest != "" {
			if rest[0] != ',' {
				return k, fmt.Errorf("expected ',' after %s", name)
			}
			rest = rest[1:]
			if rest == "" {
				return k, errors.New("trailing ','")
			}
		}
		if seen[name] {
			return k, fmt.Errorf("attribute %s repeated", name)
		}
		seen[name] = true
		switch name {
		case "METHOD":
			k.Method = val
		case "URI":
			k.URI = val
		case "IV":
			k.IV = val
		case "KEYFORMAT":
			k.KeyFormat = val
		case "KEYFORMATVERSIONS":
			k.KeyFormatVersions = val
		}
	}
	switch k.Method {
	case "SAMPLE-AES", "SAMPLE-AES-CTR", "AES-128":
	default:
		return k, fmt.Errorf("METHOD %q is not an encryption method", trunc(k.Method))
	}
	if k.URI == "" {
		return k, errors.New("no URI")
	}
	return k, nil
}

func trunc(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
