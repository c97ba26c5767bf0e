package s3

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/blob/azfront"
)

// metaMD5 is the user metadata key (x-amz-meta-content-md5) holding the
// blob's Content-MD5 property, base64, when a client supplied one.
const metaMD5 = "content-md5"

const defaultContentType = "application/octet-stream"

// headConcurrency bounds the HEAD requests of one List.
const headConcurrency = 8

// CreateContainer creates the container's bucket or marker; existing is
// fine.
func (s *Store) CreateContainer(ctx context.Context, container string) error {
	if err := blob.ValidateContainer(container); err != nil {
		return err
	}
	if s.cfg.BucketPerContainer {
		b := s.cfg.BucketPrefix + container
		if err := validBucket(b); err != nil {
			return err
		}
		_, err := s.client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)})
		switch codeOf(err) {
		case "", "BucketAlreadyOwnedByYou":
			return nil
		case "BucketAlreadyExists":
			// Owned by someone else on AWS; on self-hosted servers it is
			// ours (they report it for any existing bucket).
			if _, herr := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(b)}); herr == nil {
				return nil
			}
		}
		return fmt.Errorf("s3: create container %q (bucket %q): %w", container, b, err)
	}
	_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(s.cfg.Bucket), Key: aws.String(markerKey(container)),
		Body: bytes.NewReader(nil), ContentLength: aws.Int64(0),
	})
	if err != nil {
		return fmt.Errorf("s3: create container %q: %w", container, err)
	}
	return nil
}

// ContainerExists returns nil or an error wrapping blob.ErrNotFound.
func (s *Store) ContainerExists(ctx context.Context, container string) error {
	if err := blob.ValidateContainer(container); err != nil {
		return err
	}
	var err error
	if s.cfg.BucketPerContainer {
		_, err = s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(s.cfg.BucketPrefix + container)})
	} else {
		_, err = s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.cfg.Bucket), Key: aws.String(markerKey(container))})
	}
	if err == nil {
		return nil
	}
	if isNotFound(err) {
		return fmt.Errorf("container %q: %w", container, blob.ErrNotFound)
	}
	return fmt.Errorf("s3: container %q: %w", container, err)
}

// DeleteContainer removes the container and everything under it. In the
// one-bucket layout the marker goes first, so the container vanishes for
// writers at once; its objects follow.
func (s *Store) DeleteContainer(ctx context.Context, container string) error {
	if err := blob.ValidateContainer(container); err != nil {
		return err
	}
	cl := s.containerLoc(container)
	if !s.cfg.BucketPerContainer {
		if err := s.deleteKeys(ctx, s.cfg.Bucket, []string{markerKey(container)}); err != nil {
			return fmt.Errorf("s3: delete container %q: %w", container, err)
		}
	}
	if err := s.deletePrefix(ctx, cl.bucket, cl.key); err != nil && !isNotFound(err) {
		return fmt.Errorf("s3: delete container %q: %w", container, err)
	}
	for _, p := range []string{stagedContainerPrefix(container), committedContainerPrefix(container)} {
		if err := s.deletePrefix(ctx, s.cfg.Bucket, p); err != nil {
			return fmt.Errorf("s3: delete container %q private objects: %w", container, err)
		}
	}
	if s.cfg.BucketPerContainer {
		_, err := s.client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(cl.bucket)})
		if err != nil && !isNotFound(err) {
			return fmt.Errorf("s3: delete container %q (bucket %q): %w", container, cl.bucket, err)
		}
	}
	return nil
}

// deletePrefix deletes every object under prefix, a page at a time.
func (s *Store) deletePrefix(ctx context.Context, bucket, prefix string) error {
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		keys := make([]string, 0, len(page.Contents))
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		if err := s.deleteKeys(ctx, bucket, keys); err != nil {
			return err
		}
	}
	return nil
}

// deleteKeys deletes objects one by one. DeleteObjects (batches of 1000)
// must carry a body checksum; SDK v2 now sends CRC32 where several
// S3-compatible servers still demand Content-MD5, while single deletes
// work everywhere. The counts here are an asset's files and blocks.
func (s *Store) deleteKeys(ctx context.Context, bucket string, keys []string) error {
	for _, k := range keys {
		if _, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)}); err != nil && !isNotFound(err) {
			return fmt.Errorf("delete %q: %w", k, err)
		}
	}
	return nil
}

// List returns the blobs under prefix, sorted by name.
func (s *Store) List(ctx context.Context, container, prefix string) ([]blob.Info, error) {
	objs, err := s.ListObjects(ctx, container, prefix)
	if err != nil {
		return nil, err
	}
	out := make([]blob.Info, len(objs))
	for i, o := range objs {
		out[i] = o.Info
	}
	return out, nil
}

// ListObjects is List with each blob's MD5 property.
func (s *Store) ListObjects(ctx context.Context, container, prefix string) ([]azfront.Object, error) {
	if err := blob.ValidateContainer(container); err != nil {
		return nil, err
	}
	if err := blob.ValidatePrefix(prefix); err != nil {
		return nil, err
	}
	if err := s.ContainerExists(ctx, container); err != nil {
		return nil, fmt.Errorf("s3: list: %w", err)
	}
	cl := s.containerLoc(container)
	var names []string
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: aws.String(cl.bucket), Prefix: aws.String(cl.key + prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("s3: list %q prefix %q: %w", container, prefix, err)
		}
		for _, o := range page.Contents {
			name := strings.TrimPrefix(aws.ToString(o.Key), cl.key)
			// Keys written around Lockstream that no name rule allows are
			// not blobs (the local backend skips such files the same way).
			if blob.ValidateName(name) == nil {
				names = append(names, name)
			}
		}
	}
	out := make([]azfront.Object, len(names))
	found := make([]bool, len(names))
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	sem := make(chan struct{}, headConcurrency)
	for i, n := range names {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			o, err := s.head(ctx, container, n)
			if err != nil {
				if !errors.Is(err, blob.ErrNotFound) { // deleted while listing
					mu.Lock()
					firstErr = cmpErr(firstErr, err)
					mu.Unlock()
				}
				return
			}
			out[i], found[i] = o, true
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, fmt.Errorf("s3: list %q: %w", container, firstErr)
	}
	res := out[:0]
	for i := range out {
		if found[i] {
			res = append(res, out[i])
		}
	}
	sort.Slice(res, func(i, j int) bool { return res[i].Name < res[j].Name })
	return res, nil
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// Stat describes one blob.
func (s *Store) Stat(ctx context.Context, container, name string) (blob.Info, error) {
	o, err := s.StatObject(ctx, container, name)
	return o.Info, err
}

// StatObject is Stat with the blob's MD5 property.
func (s *Store) StatObject(ctx context.Context, container, name string) (azfront.Object, error) {
	if err := blob.ValidateContainer(container); err != nil {
		return azfront.Object{}, err
	}
	if err := blob.ValidateName(name); err != nil {
		return azfront.Object{}, err
	}
	return s.head(ctx, container, name)
}

func (s *Store) head(ctx context.Context, container, name string) (azfront.Object, error) {
	l := s.blobLoc(container, name)
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(l.bucket), Key: aws.String(l.key)})
	if err != nil {
		if isNotFound(err) {
			return azfront.Object{}, fmt.Errorf("s3: stat %q/%q: %w", container, name, blob.ErrNotFound)
		}
		return azfront.Object{}, fmt.Errorf("s3: stat %q/%q: %w", container, name, err)
	}
	o := azfront.Object{Info: blob.Info{
		Name:        name,
		Size:        aws.ToInt64(out.ContentLength),
		Modified:    aws.ToTime(out.LastModified).UTC(),
		ETag:        aws.ToString(out.ETag),
		ContentType: aws.ToString(out.ContentType),
	}}
	if o.ContentType == "" {
		o.ContentType = defaultContentType
	}
	if v, ok := out.Metadata[metaMD5]; ok {
		if b, err := base64.StdEncoding.DecodeString(v); err == nil && len(b) == 16 {
			o.MD5 = b
		}
	}
	return o, nil
}

// ReadRange is one ranged GET. Reads that end at or before the blob's
// end are exact; the size is looked up only when S3 refuses a range (416),
// to tell "at the end" (empty) from "beyond it" (ErrRange).
func (s *Store) ReadRange(ctx context.Context, container, name string, off, n int64) (io.ReadCloser, error) {
	if err := blob.ValidateContainer(container); err != nil {
		return nil, err
	}
	if err := blob.ValidateName(name); err != nil {
		return nil, err
	}
	if off < 0 {
		return nil, fmt.Errorf("s3: read range %q at %d: %w", name, off, blob.ErrRange)
	}
	if n == 0 {
		info, err := s.head(ctx, container, name)
		if err != nil {
			return nil, err
		}
		if off > info.Size {
			return nil, fmt.Errorf("s3: read range %q at %d of %d: %w", name, off, info.Size, blob.ErrRange)
		}
		return io.NopCloser(bytes.NewReader(nil)), nil
	}
	return s.readRange(ctx, container, name, "", off, n)
}

// ReadRangeVersion is ReadRange of the version with etag (If-Match);
// azfront.ErrVersionChanged when the blob was replaced since.
func (s *Store) ReadRangeVersion(ctx context.Context, container, name, etag string, off, n int64) (io.ReadCloser, error) {
	if err := blob.ValidateContainer(container); err != nil {
		return nil, err
	}
	if err := blob.ValidateName(name); err != nil {
		return nil, err
	}
	if off < 0 || n <= 0 {
		return nil, fmt.Errorf("s3: read range %q at %d+%d: %w", name, off, n, blob.ErrRange)
	}
	return s.readRange(ctx, container, name, etag, off, n)
}

func (s *Store) readRange(ctx context.Context, container, name, etag string, off, n int64) (io.ReadCloser, error) {
	l := s.blobLoc(container, name)
	in := &s3.GetObjectInput{Bucket: aws.String(l.bucket), Key: aws.String(l.key)}
	if etag != "" {
		in.IfMatch = aws.String(etag)
	}
	switch {
	case n > 0:
		in.Range = aws.String(fmt.Sprintf("bytes=%d-%d", off, off+n-1))
	case off > 0:
		in.Range = aws.String(fmt.Sprintf("bytes=%d-", off))
	}
	out, err := s.client.GetObject(ctx, in)
	if err != nil {
		if etag != "" && (statusOf(err) == http.StatusPreconditionFailed || isNotFound(err)) {
			return nil, fmt.Errorf("s3: read %q/%q: %w", container, name, azfront.ErrVersionChanged)
		}
		if statusOf(err) == http.StatusRequestedRangeNotSatisfiable || codeOf(err) == "InvalidRange" {
			info, herr := s.head(ctx, container, name)
			if herr != nil {
				return nil, herr
			}
			if off == info.Size {
				return io.NopCloser(bytes.NewReader(nil)), nil
			}
			return nil, fmt.Errorf("s3: read range %q at %d of %d: %w", name, off, info.Size, blob.ErrRange)
		}
		if isNotFound(err) {
			return nil, fmt.Errorf("s3: read %q/%q: %w", container, name, blob.ErrNotFound)
		}
		return nil, fmt.Errorf("s3: read %q/%q: %w", container, name, err)
	}
	return out.Body, nil
}

// Write uploads r as the blob's content; see PutBlob.
func (s *Store) Write(ctx context.Context, container, name string, r io.Reader, size int64, contentType string) error {
	_, err := s.PutBlob(ctx, container, name, r, size, azfront.Props{ContentType: contentType})
	return err
}

// PutBlob uploads r as the blob's whole content with props. A reader
// that fails, or yields other than size bytes (size >= 0), fails the
// upload before S3 completes it, so the old version stays.
func (s *Store) PutBlob(ctx context.Context, container, name string, r io.Reader, size int64, props azfront.Props) (azfront.Object, error) {
	if err := blob.ValidateContainer(container); err != nil {
		return azfront.Object{}, err
	}
	if err := blob.ValidateName(name); err != nil {
		return azfront.Object{}, err
	}
	if err := s.ContainerExists(ctx, container); err != nil {
		return azfront.Object{}, fmt.Errorf("s3: write %q: %w", name, err)
	}
	l := s.blobLoc(container, name)
	if err := s.upload(ctx, l, r, size, props); err != nil {
		return azfront.Object{}, fmt.Errorf("s3: write %q/%q: %w", container, name, err)
	}
	// Any committed block list described the replaced version.
	s.forgetBlocks(ctx, container, name)
	return s.head(ctx, container, name)
}

// upload streams r to one object with the upload manager.
func (s *Store) upload(ctx context.Context, l loc, r io.Reader, size int64, props azfront.Props) error {
	ct := props.ContentType
	if ct == "" {
		ct = defaultContentType
	}
	in := &s3.PutObjectInput{
		Bucket: aws.String(l.bucket), Key: aws.String(l.key),
		Body:        &sizedReader{r: r, want: size},
		ContentType: aws.String(ct),
	}
	if len(props.MD5) == 16 {
		in.Metadata = map[string]string{metaMD5: base64.StdEncoding.EncodeToString(props.MD5)}
	}
	_, err := s.up.Upload(ctx, in) //nolint:staticcheck // see Store.up
	return err
}

// Delete removes one blob and its private objects; absent is not an error.
func (s *Store) Delete(ctx context.Context, container, name string) error {
	if err := blob.ValidateContainer(container); err != nil {
		return err
	}
	if err := blob.ValidateName(name); err != nil {
		return err
	}
	l := s.blobLoc(container, name)
	if _, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(l.bucket), Key: aws.String(l.key)}); err != nil && !isNotFound(err) {
		return fmt.Errorf("s3: delete %q/%q: %w", container, name, err)
	}
	s.forgetBlocks(ctx, container, name)
	if err := s.deletePrefix(ctx, s.cfg.Bucket, stagedPrefix(container, name)); err != nil {
		s.log.WarnContext(ctx, "s3: delete staged blocks", "container", container, "err", err)
	}
	return nil
}

// SignedContainerURL returns a URL of Lockstream's Azure-compatible blob
// endpoint serving this store (Config.SignURL), which the Azure Blob SDKs
// use as AMS clients do. For direct S3 access see PresignedURL.
func (s *Store) SignedContainerURL(ctx context.Context, container string, perm blob.Permission, expiry time.Time) (string, error) {
	if err := blob.ValidateContainer(container); err != nil {
		return "", err
	}
	if s.cfg.SignURL == nil {
		return "", errors.New("s3: signed container URL: no blob endpoint is configured (SignURL)")
	}
	return s.cfg.SignURL(ctx, container, perm, expiry)
}

// errSize reports a body whose length differs from the declared size.
var errSize = errors.New("body length differs from the declared size")

// sizedReader fails instead of reaching EOF when the body is shorter or
// longer than want (when want >= 0), so the upload fails before S3
// completes it.
type sizedReader struct {
	r    io.Reader
	want int64
	n    int64
}

func (z *sizedReader) Read(p []byte) (int, error) {
	if z.want >= 0 && int64(len(p)) > z.want-z.n+1 {
		p = p[:z.want-z.n+1] // read one byte past want to detect a long body
	}
	k, err := z.r.Read(p)
	z.n += int64(k)
	if z.want >= 0 && z.n > z.want {
		return k, fmt.Errorf("%w: more than %d bytes", errSize, z.want)
	}
	if errors.Is(err, io.EOF) && z.want >= 0 && z.n != z.want {
		return k, fmt.Errorf("%w: %d of %d bytes", errSize, z.n, z.want)
	}
	return k, err
}
