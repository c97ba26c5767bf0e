package clearkey

import (
	"errors"
	"fmt"
	"slices"

	"github.com/lockstream/lockstream/internal/drm"
	"github.com/lockstream/lockstream/internal/keys"
)

// ErrNoKIDs means a common PSSH box was asked for without key IDs; such a
// box would tell a Clear Key CDM nothing.
var ErrNoKIDs = errors.New("clearkey: no key ids")

// PSSH returns the W3C common PSSH box listing kids in the given order:
// version 1, flags 0, system ID [drm.Common], the KIDs in UUID byte order,
// and a data size of 0. Its encoded size is 36 + 16·len(kids) bytes.
func PSSH(kids []keys.KID) (drm.PSSH, error) {
	if len(kids) == 0 {
		return drm.PSSH{}, fmt.Errorf("build common pssh: %w", ErrNoKIDs)
	}
	p := drm.PSSH{Version: 1, SystemID: drm.Common, KIDs: slices.Clone(kids)}
	if err := p.Validate(); err != nil {
		return drm.PSSH{}, fmt.Errorf("build common pssh: %w", err)
	}
	return p, nil
}
