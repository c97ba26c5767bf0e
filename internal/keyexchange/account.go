package keyexchange

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/uuid"

	"github.com/lockstream/lockstream/internal/store"
)

// Account is the account a key-exchange request names.
type Account struct {
	// ID is the mediaServiceId (lower-case uuid).
	ID string
	// Path is the account's ARM path, the scope of its children and keys.
	Path string
}

// ErrAccountNotFound means no account has the mediaServiceId.
var ErrAccountNotFound = errors.New("keyexchange: no account has this media service id")

// LookupAccount finds the account by its mediaServiceId.
func LookupAccount(ctx context.Context, r store.Reader, msid string) (Account, error) {
	id, err := uuid.Parse(msid)
	if err != nil {
		return Account{}, ErrAccountNotFound
	}
	res, err := r.GetByID(ctx, store.KindAccount, id.String())
	if errors.Is(err, store.ErrNotFound) {
		return Account{}, ErrAccountNotFound
	}
	if err != nil {
		return Account{}, fmt.Errorf("get account %s: %w", id, err)
	}
	return Account{ID: id.String(), Path: store.Key{Kind: store.KindAccount, Scope: res.Scope, Name: res.Name}.Path()}, nil
}

// StatusOf maps lookup errors to HTTP statuses.
func StatusOf(err error) int {
	if errors.Is(err, ErrAccountNotFound) {
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}
