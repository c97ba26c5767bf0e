package azure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	azblob "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	azcontainer "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/service"

	"github.com/lockstream/lockstream/internal/blob"
)

var _ blob.Store = (*Store)(nil)

// Config configures the Azure Blob Storage backend.
type Config struct {
	// AccountName and AccountKey are the storage account's shared key; the
	// key also signs the container SAS URLs.
	AccountName string
	AccountKey  string
	// ServiceURL is the blob endpoint, e.g.
	// "http://127.0.0.1:10000/devstoreaccount1" for Azurite. Empty means
	// https://{AccountName}.blob.core.windows.net.
	ServiceURL string
	// ContainerPrefix is prepended to every container name, so several
	// Lockstream installations (or test runs) can share one account. The
	// result must still be a valid Azure container name.
	ContainerPrefix string
	// UploadBlockSize and UploadConcurrency tune Write (defaults 8 MiB and
	// 4): Write buffers at most their product in memory.
	UploadBlockSize   int64
	UploadConcurrency int
}

// Store is a blob.Store on Azure Blob Storage (or Azurite).
type Store struct {
	svc        *service.Client
	cred       *service.SharedKeyCredential
	serviceURL string
	prefix     string
	blockSize  int64
	parallel   int
	https      bool
}

// New returns a Store for the account in cfg. It does not contact the
// service.
func New(cfg Config) (*Store, error) {
	if cfg.AccountName == "" || cfg.AccountKey == "" {
		return nil, errors.New("azure: config: AccountName and AccountKey are required")
	}
	su := strings.TrimRight(cfg.ServiceURL, "/")
	if su == "" {
		su = "https://" + cfg.AccountName + ".blob.core.windows.net"
	}
	u, err := url.Parse(su)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("azure: config: ServiceURL %q is not an http(s) URL", cfg.ServiceURL)
	}
	cred, err := service.NewSharedKeyCredential(cfg.AccountName, cfg.AccountKey)
	if err != nil {
		return nil, fmt.Errorf("azure: config: shared key: %w", err)
	}
	svc, err := service.NewClientWithSharedKeyCredential(su+"/", cred, nil)
	if err != nil {
		return nil, fmt.Errorf("azure: new client for %q: %w", su, err)
	}
	if cfg.ContainerPrefix != "" {
		for _, c := range cfg.ContainerPrefix {
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
				return nil, fmt.Errorf("azure: config: ContainerPrefix %q: only a-z, 0-9 and '-' allowed", cfg.ContainerPrefix)
			}
		}
	}
	s := &Store{
		svc:        svc,
		cred:       cred,
		serviceURL: su,
		prefix:     cfg.ContainerPrefix,
		blockSize:  cfg.UploadBlockSize,
		parallel:   cfg.UploadConcurrency,
		https:      u.Scheme == "https",
	}
	if s.blockSize <= 0 {
		s.blockSize = 8 << 20
	}
	if s.parallel <= 0 {
		s.parallel = 4
	}
	return s, nil
}

// physical maps a logical container name to the account's container name.
func (s *Store) physical(container string) (string, error) {
	if err := blob.ValidateContainer(container); err != nil {
		return "", err
	}
	p := s.prefix + container
	if err := blob.ValidateContainer(p); err != nil {
		return "", fmt.Errorf("%w: container %q with prefix %q", blob.ErrInvalidName, container, s.prefix)
	}
	return p, nil
}

func (s *Store) containerClient(container string) (*azcontainer.Client, error) {
	p, err := s.physical(container)
	if err != nil {
		return nil, err
	}
	return s.svc.NewContainerClient(p), nil
}

func (s *Store) blobClient(container, name string) (*blockblob.Client, error) {
	cc, err := s.containerClient(container)
	if err != nil {
		return nil, err
	}
	if err := blob.ValidateName(name); err != nil {
		return nil, err
	}
	return cc.NewBlockBlobClient(name), nil
}

// mapErr turns service errors into the blob package's sentinels, keeping
// the original for context.
func mapErr(op, what string, err error) error {
	switch {
	case bloberror.HasCode(err, bloberror.BlobNotFound, bloberror.ContainerNotFound, bloberror.ResourceNotFound):
		return fmt.Errorf("azure: %s %q: %w (%w)", op, what, blob.ErrNotFound, err)
	case bloberror.HasCode(err, bloberror.InvalidRange):
		return fmt.Errorf("azure: %s %q: %w (%w)", op, what, blob.ErrRange, err)
	case bloberror.HasCode(err, bloberror.InvalidResourceName, bloberror.InvalidURI, bloberror.OutOfRangeInput):
		return fmt.Errorf("azure: %s %q: %w (%w)", op, what, blob.ErrInvalidName, err)
	}
	return fmt.Errorf("azure: %s %q: %w", op, what, err)
}

// CreateContainer creates the container; an existing one is fine. Azure
// refuses to re-create a container for a while after deleting it
// (ContainerBeingDeleted); that is retried until ctx ends.
func (s *Store) CreateContainer(ctx context.Context, container string) error {
	cc, err := s.containerClient(container)
	if err != nil {
		return err
	}
	delay := 500 * time.Millisecond
	for {
		_, err := cc.Create(ctx, nil)
		switch {
		case err == nil, bloberror.HasCode(err, bloberror.ContainerAlreadyExists):
			return nil
		case !bloberror.HasCode(err, bloberror.ContainerBeingDeleted):
			return mapErr("create container", container, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("azure: create container %q: still being deleted: %w", container, ctx.Err())
		case <-time.After(delay):
		}
		delay = min(2*delay, 5*time.Second)
	}
}

// DeleteContainer deletes the container and its blobs; absent is fine.
func (s *Store) DeleteContainer(ctx context.Context, container string) error {
	cc, err := s.containerClient(container)
	if err != nil {
		return err
	}
	if _, err := cc.Delete(ctx, nil); err != nil && !bloberror.HasCode(err, bloberror.ContainerNotFound, bloberror.ContainerBeingDeleted) {
		return mapErr("delete container", container, err)
	}
	return nil
}

// List pages through the flat listing. Azure returns names in order
// already; sorting again keeps the contract independent of that.
func (s *Store) List(ctx context.Context, container, prefix string) ([]blob.Info, error) {
	cc, err := s.containerClient(container)
	if err != nil {
		return nil, err
	}
	if err := blob.ValidatePrefix(prefix); err != nil {
		return nil, err
	}
	var opts azcontainer.ListBlobsFlatOptions
	if prefix != "" {
		opts.Prefix = to.Ptr(prefix)
	}
	pager := cc.NewListBlobsFlatPager(&opts)
	out := []blob.Info{}
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, mapErr("list", container+"/"+prefix, err)
		}
		for _, it := range page.Segment.BlobItems {
			if it.Name == nil || it.Properties == nil {
				continue
			}
			info := blob.Info{Name: *it.Name}
			p := it.Properties
			if p.ContentLength != nil {
				info.Size = *p.ContentLength
			}
			if p.LastModified != nil {
				info.Modified = p.LastModified.UTC()
			}
			if p.ETag != nil {
				info.ETag = string(*p.ETag)
			}
			if p.ContentType != nil {
				info.ContentType = *p.ContentType
			}
			out = append(out, info)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Stat reads the blob's properties.
func (s *Store) Stat(ctx context.Context, container, name string) (blob.Info, error) {
	bc, err := s.blobClient(container, name)
	if err != nil {
		return blob.Info{}, err
	}
	p, err := bc.GetProperties(ctx, nil)
	if err != nil {
		return blob.Info{}, mapErr("stat", container+"/"+name, err)
	}
	info := blob.Info{Name: name}
	if p.ContentLength != nil {
		info.Size = *p.ContentLength
	}
	if p.LastModified != nil {
		info.Modified = p.LastModified.UTC()
	}
	if p.ETag != nil {
		info.ETag = string(*p.ETag)
	}
	if p.ContentType != nil {
		info.ContentType = *p.ContentType
	}
	return info, nil
}

// ReadRange downloads [off, off+n) with one ranged GET. The body is wrapped
// in the SDK's retry reader, which resumes a broken stream with If-Match on
// the same ETag, so a retry never splices two versions together.
func (s *Store) ReadRange(ctx context.Context, container, name string, off, n int64) (io.ReadCloser, error) {
	bc, err := s.blobClient(container, name)
	if err != nil {
		return nil, err
	}
	what := container + "/" + name
	if off < 0 {
		return nil, fmt.Errorf("azure: read range %q at %d: %w", what, off, blob.ErrRange)
	}
	if n == 0 {
		// HTTPRange{Count: 0} means "to the end", so an empty read is
		// answered from the properties instead.
		return s.emptyOrRange(ctx, container, name, off)
	}
	count := max(n, 0) // negative: to the end
	resp, err := bc.DownloadStream(ctx, &azblob.DownloadStreamOptions{Range: azblob.HTTPRange{Offset: off, Count: count}})
	if err != nil {
		if bloberror.HasCode(err, bloberror.InvalidRange) {
			// Azure answers 416 for a range starting exactly at the end;
			// the contract makes that an empty read.
			return s.emptyOrRange(ctx, container, name, off)
		}
		return nil, mapErr("read range", what, err)
	}
	return resp.NewRetryReader(ctx, &azblob.RetryReaderOptions{MaxRetries: 3}), nil
}

func (s *Store) emptyOrRange(ctx context.Context, container, name string, off int64) (io.ReadCloser, error) {
	info, err := s.Stat(ctx, container, name)
	if err != nil {
		return nil, err
	}
	if off > info.Size {
		return nil, fmt.Errorf("azure: read range %q at %d of %d: %w", container+"/"+name, off, info.Size, blob.ErrRange)
	}
	return io.NopCloser(bytes.NewReader(nil)), nil
}

// exactReader fails the stream if it is shorter or longer than declared,
// so UploadStream aborts before Put Block List and the old content stays.
type exactReader struct {
	r    io.Reader
	left int64
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.left <= 0 {
		// Peek one byte to tell "exactly size" from "too long".
		var one [1]byte
		k, err := e.r.Read(one[:])
		if k > 0 {
			return 0, errors.New("content is longer than the declared size")
		}
		return 0, err
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	k, err := e.r.Read(p)
	e.left -= int64(k)
	if errors.Is(err, io.EOF) && e.left > 0 {
		return k, io.ErrUnexpectedEOF
	}
	return k, err
}

// Write uploads r with UploadStream. Blocks are staged and committed with a
// single Put Block List (or one Put Blob when the content fits one block),
// so the blob changes atomically; a failed upload commits nothing.
func (s *Store) Write(ctx context.Context, container, name string, r io.Reader, size int64, contentType string) error {
	bc, err := s.blobClient(container, name)
	if err != nil {
		return err
	}
	if size >= 0 {
		r = &exactReader{r: r, left: size}
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	_, err = bc.UploadStream(ctx, r, &blockblob.UploadStreamOptions{
		BlockSize:   s.blockSize,
		Concurrency: s.parallel,
		HTTPHeaders: &azblob.HTTPHeaders{BlobContentType: to.Ptr(contentType)},
	})
	if err != nil {
		return mapErr("write", container+"/"+name, err)
	}
	return nil
}

// Delete removes the blob and its snapshots; absent is fine.
func (s *Store) Delete(ctx context.Context, container, name string) error {
	bc, err := s.blobClient(container, name)
	if err != nil {
		return err
	}
	_, err = bc.Delete(ctx, &azblob.DeleteOptions{DeleteSnapshots: to.Ptr(azblob.DeleteSnapshotsOptionTypeInclude)})
	if err != nil && !bloberror.HasCode(err, bloberror.BlobNotFound, bloberror.ContainerNotFound) {
		return mapErr("delete", container+"/"+name, err)
	}
	return nil
}
