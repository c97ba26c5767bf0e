package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/encode"
	"github.com/lockstream/lockstream/internal/store"
)

// scratchFactor is how many times its inputs' size a job reserves in the
// scratch directory: the inputs plus room for the outputs.
const scratchFactor = 3

// input is one downloaded input file.
type input struct {
	encode.Input
	name string // the file's original base name
}

// notMedia are the names a JobInputAsset without files skips: manifests
// and metadata AMS wrote next to the media.
var notMedia = []string{".ism", ".ismc", ".json", ".xml", ".mpi", ".txt", ".vtt", ".ttml"}

// fetchInputs copies every input file into the scratch directory, probes
// it and returns the inputs in order with their total duration (after
// clipping).
func (r *run) fetchInputs(ctx context.Context, jr *store.Resource, d *defs.JobProperties) ([]input, time.Duration, error) {
	root := d.Input
	if jr.Secret != nil {
		// HTTP inputs with query strings (SAS) are sealed; the document
		// holds them without.
		if r.e.Sealer == nil {
			return nil, 0, errors.New("job has sealed inputs but the engine has no Sealer")
		}
		pt, err := r.e.Sealer.Open(jr.Secret, []byte(store.ResourceAAD(jr.Kind, jr.Scope, jr.Name)))
		if err != nil {
			return nil, 0, fmt.Errorf("open job secret: %w", err)
		}
		var sec defs.JobSecret
		if err := json.Unmarshal(pt, &sec); err != nil || sec.Input == nil {
			return nil, 0, fmt.Errorf("decode job secret: %v", err)
		}
		root = sec.Input
	}
	if root == nil {
		return nil, 0, fail(defs.JobErrorConfigurationUnsupported, "The job has no input.")
	}
	var (
		out   []input
		total time.Duration
	)
	for k, leaf := range root.Leaves() {
		var start, end time.Duration
		for _, ct := range []struct {
			c   *defs.ClipTime
			dst *time.Duration
		}{{leaf.Start, &start}, {leaf.End, &end}} {
			if ct.c == nil {
				continue
			}
			if ct.c.ODataType != defs.ODataTypeAbsoluteClipTime {
				return nil, 0, fail(defs.JobErrorConfigurationUnsupported, "UtcClipTime addresses UTC-stamped live archives; clip files with AbsoluteClipTime instead.")
			}
			v, err := defs.ParseClipDuration(ct.c.Time)
			if err != nil {
				return nil, 0, fail(defs.JobErrorConfigurationUnsupported, fmt.Sprintf("The clip time %q is invalid.", ct.c.Time))
			}
			*ct.dst = v
		}
		var files []input
		var err error
		switch leaf.ODataType {
		case defs.ODataTypeJobInputAsset:
			files, err = r.fetchAsset(ctx, k, leaf)
		case defs.ODataTypeJobInputHTTP:
			files, err = r.fetchHTTP(ctx, k, leaf)
		default:
			err = fail(defs.JobErrorConfigurationUnsupported, fmt.Sprintf("Inputs of type %s cannot be encoded.", leaf.ODataType))
		}
		if err != nil {
			return nil, 0, err
		}
		for _, f := range files {
			dur, err := probe(ctx, r.e.FFprobe, f.Path, f.name)
			if err != nil {
				return nil, 0, err
			}
			if start > 0 && dur > 0 && start >= dur {
				return nil, 0, fail(defs.JobErrorConfigurationUnsupported, fmt.Sprintf("The clip start %v is at or after the end of '%s' (%v).", start, f.name, dur.Round(time.Millisecond)))
			}
			if end > 0 && end < dur {
				dur = end
			}
			total += max(dur-start, 0)
			f.Label, f.Start, f.End = leaf.Label, start, end
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return nil, 0, fail(defs.JobErrorDownloadNotAccessible, "The job's inputs name no file.")
	}
	return out, total, nil
}

// reserve takes scratch space for n input bytes.
func (r *run) reserve(ctx context.Context, n int64) error {
	need := n * scratchFactor
	if err := r.e.reserved.reserve(ctx, need); err != nil {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		return fail(defs.JobErrorServiceError, "The input is too large for this node: it "+err.Error()+".")
	}
	r.reserved += need
	return nil
}

// localPath names the k-th input's file in the scratch directory.
func (r *run) localPath(k, j int, name string) string {
	return filepath.Join(r.dir, "in", fmt.Sprintf("%02d-%02d-%s", k, j, safeName(name)))
}

func (r *run) fetchAsset(ctx context.Context, k int, leaf *defs.JobInput) ([]input, error) {
	ar, err := r.e.Store.Get(ctx, store.Key{Kind: store.KindAsset, Scope: r.acctScope, Name: leaf.AssetName})
	if errors.Is(err, store.ErrNotFound) {
		return nil, fail(defs.JobErrorDownloadNotAccessible, fmt.Sprintf("The input asset '%s' no longer exists.", leaf.AssetName))
	}
	if err != nil {
		return nil, fmt.Errorf("load input asset: %w", err)
	}
	var doc struct {
		Container string `json:"container"`
	}
	if err := json.Unmarshal(ar.Doc, &doc); err != nil {
		return nil, fmt.Errorf("decode input asset: %w", err)
	}
	var infos []blob.Info
	if len(leaf.Files) > 0 {
		for _, f := range leaf.Files {
			inf, err := r.e.Blob.Stat(ctx, doc.Container, f)
			if errors.Is(err, blob.ErrNotFound) || errors.Is(err, blob.ErrInvalidName) {
				return nil, fail(defs.JobErrorDownloadNotAccessible, fmt.Sprintf("The file '%s' is not in the input asset '%s'; upload it or fix the job's files.", f, leaf.AssetName))
			}
			if err != nil {
				return nil, fail(defs.JobErrorDownloadTransientError, fmt.Sprintf("Reading the input asset '%s' failed: %v", leaf.AssetName, err))
			}
			infos = append(infos, inf)
		}
	} else {
		all, err := r.e.Blob.List(ctx, doc.Container, "")
		if err != nil {
			return nil, fail(defs.JobErrorDownloadTransientError, fmt.Sprintf("Listing the input asset '%s' failed: %v", leaf.AssetName, err))
		}
		// Without files, the asset's one media file is the input; of
		// several (renditions an encoder wrote), the largest is the best
		// source. Several files play in sequence only when named.
		var best *blob.Info
		for i, inf := range all {
			if !hasExt(inf.Name, notMedia) && (best == nil || inf.Size > best.Size) {
				best = &all[i]
			}
		}
		if best == nil {
			return nil, fail(defs.JobErrorDownloadNotAccessible, fmt.Sprintf("The input asset '%s' holds no media file; upload one to its container first.", leaf.AssetName))
		}
		infos = []blob.Info{*best}
	}
	var out []input
	for j, inf := range infos {
		if err := r.reserve(ctx, inf.Size); err != nil {
			return nil, err
		}
		rc, err := r.e.Blob.ReadRange(ctx, doc.Container, inf.Name, 0, -1)
		if err != nil {
			return nil, fail(defs.JobErrorDownloadTransientError, fmt.Sprintf("Reading '%s' of the input asset '%s' failed: %v", inf.Name, leaf.AssetName, err))
		}
		p := r.localPath(k, j, path.Base(inf.Name))
		_, err = writeFile(p, rc, -1)
		rc.Close()
		if err != nil {
			if ctx.Err() != nil {
				return nil, context.Cause(ctx)
			}
			return nil, fail(defs.JobErrorDownloadTransientError, fmt.Sprintf("Copying '%s' of the input asset '%s' failed: %v", inf.Name, leaf.AssetName, err))
		}
		out = append(out, input{Input: encode.Input{Path: p}, name: path.Base(inf.Name)})
	}
	return out, nil
}

func (r *run) fetchHTTP(ctx context.Context, k int, leaf *defs.JobInput) ([]input, error) {
	if r.e.HTTP == nil {
		return nil, fail(defs.JobErrorDownloadNotAccessible, "This node has no outbound HTTP access configured; use a JobInputAsset, or ask the operator to enable HTTP inputs.")
	}
	urls, err := leaf.URLs()
	if err != nil {
		return nil, fail(defs.JobErrorDownloadNotAccessible, fmt.Sprintf("The input URL is invalid: %v", err))
	}
	var out []input
	for j, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil {
			return nil, fail(defs.JobErrorDownloadNotAccessible, "An input URL is invalid.")
		}
		shown := (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String() // never a SAS
		name := path.Base(u.Path)
		if name == "" || name == "/" || name == "." {
			name = "input"
		}
		p := r.localPath(k, j, name)
		if err := r.download(ctx, raw, shown, p); err != nil {
			return nil, err
		}
		out = append(out, input{Input: encode.Input{Path: p}, name: name})
	}
	return out, nil
}

// download fetches one HTTP input through the outbound guard, within the
// size and time limits.
func (r *run) download(ctx context.Context, raw, shown, dst string) error {
	dctx, cancel := context.WithTimeout(ctx, r.e.HTTPTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(dctx, http.MethodGet, raw, nil)
	if err != nil {
		return fail(defs.JobErrorDownloadNotAccessible, "The input URL "+shown+" is invalid.")
	}
	resp, err := r.e.HTTP.Client().Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		// *url.Error quotes the URL, SAS included; keep only the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		if dctx.Err() != nil {
			return fail(defs.JobErrorDownloadTransientError, fmt.Sprintf("Downloading %s took longer than %v.", shown, r.e.HTTPTimeout))
		}
		return fail(defs.JobErrorDownloadNotAccessible, fmt.Sprintf("Could not fetch %s: %v. Check that the URL is reachable from the Lockstream node and allowed by its outbound policy.", shown, err))
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout:
		return fail(defs.JobErrorDownloadTransientError, fmt.Sprintf("GET %s answered %s; the server may recover: resubmit the job later.", shown, resp.Status))
	default:
		return fail(defs.JobErrorDownloadNotAccessible, fmt.Sprintf("GET %s answered %s; check the URL and, for storage URLs, that its SAS token is valid and grants read.", shown, resp.Status))
	}
	size := resp.ContentLength
	if size > r.e.MaxHTTPInput {
		return fail(defs.JobErrorDownloadNotAccessible, fmt.Sprintf("%s is %d bytes, more than the %d-byte limit for HTTP inputs.", shown, size, r.e.MaxHTTPInput))
	}
	// Without a length (chunked), the space is reserved once the size is
	// known; MaxHTTPInput bounds the overshoot.
	if size >= 0 {
		if err := r.reserve(ctx, size); err != nil {
			return err
		}
	}
	n, err := writeFile(dst, resp.Body, r.e.MaxHTTPInput)
	if err == nil && size < 0 {
		if err := r.reserve(ctx, n); err != nil {
			return err
		}
	}
	switch {
	case errors.Is(err, errTooLarge):
		return fail(defs.JobErrorDownloadNotAccessible, fmt.Sprintf("%s is larger than the %d-byte limit for HTTP inputs.", shown, r.e.MaxHTTPInput))
	case err != nil && ctx.Err() != nil:
		return context.Cause(ctx)
	case err != nil:
		return fail(defs.JobErrorDownloadTransientError, fmt.Sprintf("Downloading %s failed after %d bytes; resubmit the job.", shown, n))
	case resp.ContentLength >= 0 && n != resp.ContentLength:
		return fail(defs.JobErrorDownloadTransientError, fmt.Sprintf("Downloading %s ended after %d of %d bytes; resubmit the job.", shown, n, resp.ContentLength))
	}
	return nil
}

var errTooLarge = errors.New("jobs: input too large")

// writeFile copies r into a new file at p, at most limit bytes (limit < 0:
// no limit).
func writeFile(p string, r io.Reader, limit int64) (int64, error) {
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return 0, err
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, err
	}
	src := r
	if limit >= 0 {
		src = io.LimitReader(r, limit+1)
	}
	n, err := io.Copy(f, src)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && limit >= 0 && n > limit {
		err = errTooLarge
	}
	return n, err
}

func hasExt(name string, exts []string) bool {
	e := strings.ToLower(path.Ext(name))
	for _, x := range exts {
		if e == x {
			return true
		}
	}
	return false
}
