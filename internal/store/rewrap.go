package store

import (
	"context"
	"errors"
	"fmt"
)

// Sealer seals and opens secrets under a key-encryption key (keys.Keyring
// is one); Rewrap uses two of them.
type Sealer interface {
	Seal(plaintext, aad []byte) ([]byte, error)
	Open(sealed, aad []byte) ([]byte, error)
}

// DefaultRewrapBatch is the batch size [Rewrap] uses when given batch <= 0.
const DefaultRewrapBatch = 100

// Rewrap re-seals every sealed blob in st, opening with from and sealing
// with to, and returns how many blobs it rewrote. Each blob's stored AAD is
// the associated data for both. Blobs are processed in batches of batch
// items (DefaultRewrapBatch when batch <= 0), each batch in its own
// transaction, so work committed before a failure or cancellation stays
// committed.
//
// Rewrap is restartable: run it again after an interruption and it finishes
// the job. For each blob, in order:
//   - an empty blob is skipped (it holds nothing);
//   - when to has a SealedByPrimary method (as *keys.Keyring does) reporting
//     true, the blob is already sealed under to's primary KEK and is skipped
//     without being opened;
//   - otherwise the blob is opened with from and sealed with to; a blob
//     that from can open is always re-sealed, even if it was already sealed
//     under to (harmless: a fresh nonce, the same plaintext);
//   - a blob from cannot open but to can is skipped as already rewrapped;
//   - a blob neither can open stops Rewrap with an error naming its Table
//     and RowID (never its contents), wrapping the error from from.Open.
//
// Skipped blobs are not counted. Rewrap logs nothing and keeps plaintext
// only as long as it needs to re-seal it.
func Rewrap(ctx context.Context, st Store, from, to Sealer, batch int) (n int, err error) {
	if st == nil || from == nil || to == nil {
		return 0, errors.New("store: rewrap: nil store or sealer")
	}
	if batch <= 0 {
		batch = DefaultRewrapBatch
	}
	current, _ := to.(interface{ SealedByPrimary([]byte) bool })
	var afterTable, afterRowID string
	for {
		if err := ctx.Err(); err != nil {
			return n, fmt.Errorf("store: rewrap: %w", err)
		}
		var got, wrote int
		var lastTable, lastRowID string
		err := st.WithTx(ctx, func(tx Tx) error {
			got, wrote = 0, 0 // WithTx may retry fn
			items, err := tx.SealedItems(ctx, afterTable, afterRowID, batch)
			if err != nil {
				return fmt.Errorf("list sealed items: %w", err)
			}
			got = len(items)
			for _, it := range items {
				lastTable, lastRowID = it.Table, it.RowID
				if len(it.Sealed) == 0 || current != nil && current.SealedByPrimary(it.Sealed) {
					continue
				}
				resealed, err := rewrapOne(it, from, to)
				if err != nil {
					return fmt.Errorf("%s %s: %w", it.Table, it.RowID, err)
				}
				if resealed == nil {
					continue
				}
				it.Sealed = resealed
				if err := tx.UpdateSealed(ctx, it); err != nil {
					return fmt.Errorf("%s %s: update: %w", it.Table, it.RowID, err)
				}
				wrote++
			}
			return nil
		})
		if err != nil {
			return n, fmt.Errorf("store: rewrap: %w", err)
		}
		if got == 0 {
			return n, nil
		}
		n += wrote
		afterTable, afterRowID = lastTable, lastRowID
	}
}

// rewrapOne returns it.Sealed re-sealed under to, or nil when to can
// already open it and from cannot.
func rewrapOne(it SealedItem, from, to Sealer) ([]byte, error) {
	aad := []byte(it.AAD)
	pt, err := from.Open(it.Sealed, aad)
	if err != nil {
		if pt2, err2 := to.Open(it.Sealed, aad); err2 == nil {
			clear(pt2)
			return nil, nil
		}
		return nil, err
	}
	defer clear(pt)
	return to.Seal(pt, aad)
}
