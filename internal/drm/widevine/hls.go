package widevine

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/lockstream/lockstream/internal/drm"
)

// HLS EXT-X-KEY attribute values for Widevine in fMP4 (cbcs) playlists:
//
//	#EXT-X-KEY:METHOD=SAMPLE-AES,URI="<DataURI>",KEYID=0x…,
//	  KEYFORMAT="urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed",KEYFORMATVERSIONS="1"
const (
	KeyFormat         = "urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"
	KeyFormatVersions = "1"
)

const dataURIPrefix = "data:text/plain;base64,"

// ErrInvalidDataURI means a URI is not the HLS data: form of a Widevine
// PSSH box.
var ErrInvalidDataURI = errors.New("widevine: invalid pssh data uri")

// DataURI returns the URI attribute of a Widevine EXT-X-KEY tag: the whole
// PSSH box (header included, not just the WidevinePsshData), in standard
// base64, as a text/plain data URI.
func DataURI(p drm.PSSH) (string, error) {
	if p.SystemID != drm.Widevine {
		return "", fmt.Errorf("build widevine data uri: system id %v is not Widevine", p.SystemID)
	}
	b, err := p.Marshal()
	if err != nil {
		return "", fmt.Errorf("build widevine data uri: %w", err)
	}
	return dataURIPrefix + base64.StdEncoding.EncodeToString(b), nil
}

// ParseDataURI is the inverse of [DataURI]: it decodes the box and checks
// that it is a Widevine PSSH box.
func ParseDataURI(uri string) (drm.PSSH, error) {
	rest, ok := strings.CutPrefix(uri, dataURIPrefix)
	if !ok {
		return drm.PSSH{}, fmt.Errorf("parse widevine data uri: %w: want prefix %q", ErrInvalidDataURI, dataURIPrefix)
	}
	if base64.StdEncoding.DecodedLen(len(rest)) > drm.MaxPSSHSize+3 {
		return drm.PSSH{}, fmt.Errorf("parse widevine data uri: %w: %d characters", ErrInvalidDataURI, len(rest))
	}
	b, err := base64.StdEncoding.Strict().DecodeString(rest)
	if err != nil {
		return drm.PSSH{}, fmt.Errorf("parse widevine data uri: %w: %w", ErrInvalidDataURI, err)
	}
	p, err := drm.ParsePSSH(b)
	if err != nil {
		return drm.PSSH{}, fmt.Errorf("parse widevine data uri: %w", err)
	}
	if p.SystemID != drm.Widevine {
		return drm.PSSH{}, fmt.Errorf("parse widevine data uri: %w: system id %v", ErrInvalidDataURI, p.SystemID)
	}
	return p, nil
}
