package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"os"
	"path"
	"path/filepath"
	"slices"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/encode"
	"github.com/lockstream/lockstream/internal/store"
)

// manifests are uploaded last, so a manifest never names a file that is
// not there yet.
var manifests = []string{".ism", ".ismc", ".json", ".xml"}

// upload copies one output's files into the output asset's container. Each
// blob write is atomic; the lease is checked before each, so a worker that
// lost its job stops publishing.
func (r *run) upload(ctx context.Context, assetName, dir string, res *encode.Result) error {
	if res == nil || len(res.Files) == 0 {
		return fail(defs.JobErrorServiceError, "The encoder produced no file.")
	}
	ar, err := r.e.Store.Get(ctx, store.Key{Kind: store.KindAsset, Scope: r.acctScope, Name: assetName})
	if errors.Is(err, store.ErrNotFound) {
		return fail(defs.JobErrorUploadNotAccessible, fmt.Sprintf("The output asset '%s' no longer exists; create it and resubmit the job.", assetName))
	}
	if err != nil {
		return fmt.Errorf("load output asset: %w", err)
	}
	var doc struct {
		Container string `json:"container"`
	}
	if err := json.Unmarshal(ar.Doc, &doc); err != nil {
		return fmt.Errorf("decode output asset: %w", err)
	}
	files := slices.Clone(res.Files)
	slices.SortStableFunc(files, func(a, b string) int {
		x, y := hasExt(a, manifests), hasExt(b, manifests)
		switch {
		case x == y:
			return 0
		case x:
			return 1
		}
		return -1
	})
	for _, name := range files {
		if err := r.e.Store.WithTx(ctx, func(tx store.Tx) error { return tx.HoldsLease(ctx, r.l) }); err != nil {
			if errors.Is(err, store.ErrLeaseLost) {
				r.cancel(errLeaseLost)
				return errLeaseLost
			}
			return fmt.Errorf("check lease: %w", err)
		}
		rel := filepath.ToSlash(name)
		f, err := os.Open(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return fmt.Errorf("open output %s: %w", rel, err)
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return fmt.Errorf("stat output %s: %w", rel, err)
		}
		err = r.e.Blob.Write(ctx, doc.Container, rel, f, st.Size(), contentType(rel))
		f.Close()
		if err != nil {
			if ctx.Err() != nil {
				return context.Cause(ctx)
			}
			if errors.Is(err, blob.ErrInvalidName) || errors.Is(err, blob.ErrNotFound) {
				return fail(defs.JobErrorUploadNotAccessible, fmt.Sprintf("Writing '%s' to the output asset '%s' failed: %v", rel, assetName, err))
			}
			return fail(defs.JobErrorUploadTransientError, fmt.Sprintf("Writing '%s' to the output asset '%s' failed: %v; resubmit the job.", rel, assetName, err))
		}
	}
	return nil
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".mp4", ".ismv":
		return "video/mp4"
	case ".m4a", ".isma":
		return "audio/mp4"
	case ".ism", ".ismc", ".xml":
		return "application/xml"
	case ".ts":
		return "video/mp2t"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}
