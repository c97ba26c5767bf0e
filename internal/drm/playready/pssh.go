package playready

import (
	"fmt"
	"slices"

	"github.com/lockstream/lockstream/internal/drm"
	"github.com/lockstream/lockstream/internal/keys"
)

// PSSH returns the PlayReady PSSH box whose data is the PlayReady Object
// pro. With kids it is a version 1 box listing them; with none it is
// version 0, the form PIFF-era clients expect.
func PSSH(pro []byte, kids []keys.KID) (drm.PSSH, error) {
	if _, err := ParseObject(pro); err != nil {
		return drm.PSSH{}, fmt.Errorf("build playready pssh: %w", err)
	}
	p := drm.PSSH{SystemID: drm.PlayReady, Data: slices.Clone(pro)}
	if len(kids) > 0 {
		p.Version = 1
		p.KIDs = slices.Clone(kids)
	}
	if err := p.Validate(); err != nil {
		return drm.PSSH{}, fmt.Errorf("build playready pssh: %w", err)
	}
	return p, nil
}
