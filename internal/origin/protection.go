package origin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/lockstream/lockstream/internal/protect"
	"github.com/lockstream/lockstream/internal/store"
)

// loadProtection gives an encrypting locator its protect.Locator: the
// keys from the layer's key source and the account's mediaServiceId,
// which names its key-delivery tree.
func (s *Server) loadProtection(ctx context.Context, li *locatorInfo, locatorName string) error {
	ks, err := s.protect.LocatorKeys(ctx, protect.LocatorRef{Scope: li.Scope, Name: locatorName,
		ID: li.Locator.StreamingLocatorID, AssetName: li.Locator.AssetName, Policy: li.Policy})
	if err != nil {
		return err
	}
	// The account path is …/providers/microsoft.media/mediaservices/<name>.
	i := strings.LastIndex(li.Scope, "/providers/")
	if i < 0 {
		return fmt.Errorf("locator scope %q is not an account path", li.Scope)
	}
	acct, err := s.Store.Get(ctx, store.Key{Kind: store.KindAccount, Scope: li.Scope[:i], Name: li.Scope[strings.LastIndex(li.Scope, "/")+1:]})
	if err != nil {
		return fmt.Errorf("get account of %s: %w", li.Scope, err)
	}
	li.Prot = &protect.Locator{Policy: li.Policy, Keys: ks, AccountID: acct.ID,
		AlternativeMediaID: li.Locator.AlternativeMediaID, Container: li.Container}
	return nil
}

// protectError maps the protection layer's refusals to MPE answers.
func protectError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, protect.ErrNoKey):
		return mpe(http.StatusInternalServerError, "MPE_KEY_NOT_FOUND", "%v", err)
	case errors.Is(err, protect.ErrUnsupported):
		return mpe(http.StatusUnsupportedMediaType, codeEncNotSupported, "%v", err)
	}
	return err
}
