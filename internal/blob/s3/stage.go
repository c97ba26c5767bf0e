package s3

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/blob/azfront"
)

var _ azfront.Backend = (*Store)(nil)

// minCopyPart is S3's minimum size of every part but the last; staged
// blocks at least this large are copied server-side (UploadPartCopy),
// smaller ones are concatenated through this node.
const minCopyPart = manager.MinUploadPartSize

// StageBlock stores one uncommitted block as a private object. The
// staging limits are not enforced: counting a blob's staged blocks would
// cost a listing per Put Block (see package azfront).
func (s *Store) StageBlock(ctx context.Context, container, name string, id []byte, r io.Reader, size int64, _ azfront.Limits) error {
	if err := blob.ValidateContainer(container); err != nil {
		return err
	}
	if err := blob.ValidateName(name); err != nil {
		return err
	}
	if err := s.ContainerExists(ctx, container); err != nil {
		return fmt.Errorf("s3: put block %q: %w", name, err)
	}
	l := loc{bucket: s.cfg.Bucket, key: stagedPrefix(container, name) + hex.EncodeToString(id)}
	if err := s.upload(ctx, l, r, size, azfront.Props{}); err != nil {
		return fmt.Errorf("s3: put block %q/%q: %w", container, name, err)
	}
	return nil
}

// committedList is the private record of a blob's committed blocks, valid
// only for the version with ETag.
type committedList struct {
	ETag   string           `json:"etag"`
	Blocks []committedBlock `json:"blocks"`
}

type committedBlock struct {
	ID   string `json:"id"` // base64
	Size int64  `json:"size"`
}

// readCommitted returns the committed blocks of the version with etag, or
// nil when the blob was not written by a block list (or was replaced).
func (s *Store) readCommitted(ctx context.Context, container, name, etag string) []azfront.Block {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.cfg.Bucket), Key: aws.String(committedKey(container, name))})
	if err != nil {
		return nil
	}
	defer func() { _ = out.Body.Close() }()
	var cl committedList
	if err := json.NewDecoder(io.LimitReader(out.Body, 16<<20)).Decode(&cl); err != nil || cl.ETag != etag {
		return nil
	}
	blocks := make([]azfront.Block, 0, len(cl.Blocks))
	for _, b := range cl.Blocks {
		id, err := base64.StdEncoding.DecodeString(b.ID)
		if err != nil {
			return nil
		}
		blocks = append(blocks, azfront.Block{ID: id, Size: b.Size})
	}
	return blocks
}

// forgetBlocks drops a blob's committed block list (best effort: a stale
// list is ignored anyway, its ETag no longer matching).
func (s *Store) forgetBlocks(ctx context.Context, container, name string) {
	if err := s.deleteKeys(ctx, s.cfg.Bucket, []string{committedKey(container, name)}); err != nil {
		s.log.WarnContext(ctx, "s3: drop committed block list", "container", container, "err", err)
	}
}

// stagedBlocks lists a blob's staged blocks by hex id.
func (s *Store) stagedBlocks(ctx context.Context, container, name string) (map[string]int64, error) {
	prefix := stagedPrefix(container, name)
	out := map[string]int64{}
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: aws.String(s.cfg.Bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("s3: list staged blocks: %w", err)
		}
		for _, o := range page.Contents {
			out[strings.TrimPrefix(aws.ToString(o.Key), prefix)] = aws.ToInt64(o.Size)
		}
	}
	return out, nil
}

// Blocks returns the committed block list of the current version and the
// staged blocks; ErrNotFound when there are neither.
func (s *Store) Blocks(ctx context.Context, container, name string) (committed, staged []azfront.Block, err error) {
	if err := blob.ValidateContainer(container); err != nil {
		return nil, nil, err
	}
	if err := blob.ValidateName(name); err != nil {
		return nil, nil, err
	}
	cur, herr := s.head(ctx, container, name)
	if herr != nil && !errors.Is(herr, blob.ErrNotFound) {
		return nil, nil, herr
	}
	if herr == nil {
		committed = s.readCommitted(ctx, container, name, cur.ETag)
	}
	st, err := s.stagedBlocks(ctx, container, name)
	if err != nil {
		return nil, nil, err
	}
	for h, size := range st {
		if id, err := hex.DecodeString(h); err == nil {
			staged = append(staged, azfront.Block{ID: id, Size: size})
		}
	}
	// Listing order, as the local backend's (ids by their hex form).
	sort.Slice(staged, func(i, j int) bool { return bytes.Compare(staged[i].ID, staged[j].ID) < 0 })
	if herr != nil && len(staged) == 0 {
		return nil, nil, herr
	}
	return committed, staged, nil
}

// source is one entry of a block list: a staged block object, or a range
// of the current version.
type source struct {
	id     []byte
	bucket string
	key    string
	off    int64
	size   int64
	whole  bool   // the whole object (a staged block)
	ifETag string // for ranges of the current version: its ETag
}

// CommitBlocks assembles refs into the blob's new content by one
// multipart upload (a single PUT for an empty list), then records the
// committed list and deletes the staged blocks. Like StageBlock it leaves
// the staging limits to the bucket (S3 caps an object at 5 TiB).
func (s *Store) CommitBlocks(ctx context.Context, container, name string, refs []azfront.BlockRef, props azfront.Props, _ azfront.Limits) (azfront.Object, error) {
	if err := blob.ValidateContainer(container); err != nil {
		return azfront.Object{}, err
	}
	if err := blob.ValidateName(name); err != nil {
		return azfront.Object{}, err
	}
	if err := s.ContainerExists(ctx, container); err != nil {
		return azfront.Object{}, fmt.Errorf("s3: put block list %q: %w", name, err)
	}
	l := s.blobLoc(container, name)
	committed := map[string]source{}
	if cur, err := s.head(ctx, container, name); err == nil {
		var off int64
		for _, b := range s.readCommitted(ctx, container, name, cur.ETag) {
			committed[string(b.ID)] = source{id: b.ID, bucket: l.bucket, key: l.key, off: off, size: b.Size, ifETag: cur.ETag}
			off += b.Size
		}
	} else if !errors.Is(err, blob.ErrNotFound) {
		return azfront.Object{}, err
	}
	staged, err := s.stagedBlocks(ctx, container, name)
	if err != nil {
		return azfront.Object{}, err
	}
	sp := stagedPrefix(container, name)
	sources := make([]source, 0, len(refs))
	for _, ref := range refs {
		h := hex.EncodeToString(ref.ID)
		src, found := source{}, false
		if size, ok := staged[h]; ok && ref.Kind != azfront.Committed {
			src, found = source{id: ref.ID, bucket: s.cfg.Bucket, key: sp + h, size: size, whole: true}, true
		}
		if !found && ref.Kind != azfront.Uncommitted {
			src, found = committed[string(ref.ID)]
		}
		if !found {
			return azfront.Object{}, fmt.Errorf("%w: %s block %q", azfront.ErrInvalidBlockList, ref.Kind, base64.StdEncoding.EncodeToString(ref.ID))
		}
		sources = append(sources, src)
	}
	if err := s.assemble(ctx, l, sources, props); err != nil {
		return azfront.Object{}, fmt.Errorf("s3: put block list %q/%q: %w", container, name, err)
	}
	obj, err := s.head(ctx, container, name)
	if err != nil {
		return azfront.Object{}, err
	}
	cl := committedList{ETag: obj.ETag, Blocks: make([]committedBlock, len(sources))}
	for i, src := range sources {
		cl.Blocks[i] = committedBlock{ID: base64.StdEncoding.EncodeToString(src.id), Size: src.size}
	}
	body, _ := json.Marshal(cl)
	if _, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(s.cfg.Bucket), Key: aws.String(committedKey(container, name)),
		Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body))), ContentType: aws.String("application/json"),
	}); err != nil {
		// The blob is committed; only Get Block List and later
		// <Committed> references lose this version's list.
		s.log.WarnContext(ctx, "s3: record committed block list", "container", container, "err", err)
	}
	if err := s.deletePrefix(ctx, s.cfg.Bucket, sp); err != nil {
		s.log.WarnContext(ctx, "s3: drop staged blocks after commit", "container", container, "err", err)
	}
	return obj, nil
}

// assemble writes the concatenation of sources to l atomically.
func (s *Store) assemble(ctx context.Context, l loc, sources []source, props azfront.Props) error {
	ct := props.ContentType
	if ct == "" {
		ct = defaultContentType
	}
	var meta map[string]string
	if len(props.MD5) == 16 {
		meta = map[string]string{metaMD5: base64.StdEncoding.EncodeToString(props.MD5)}
	}
	var total int64
	for _, src := range sources {
		total += src.size
	}
	if total == 0 {
		_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(l.bucket), Key: aws.String(l.key), Body: bytes.NewReader(nil),
			ContentLength: aws.Int64(0), ContentType: aws.String(ct), Metadata: meta,
		})
		return err
	}
	mu, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: aws.String(l.bucket), Key: aws.String(l.key), ContentType: aws.String(ct), Metadata: meta,
	})
	if err != nil {
		return fmt.Errorf("create multipart upload: %w", err)
	}
	up := &multipart{s: s, l: l, id: aws.ToString(mu.UploadId)}
	if err := up.run(ctx, sources); err != nil {
		// A fresh context: the request's may be what failed.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if _, aerr := s.client.AbortMultipartUpload(actx, &s3.AbortMultipartUploadInput{Bucket: aws.String(l.bucket), Key: aws.String(l.key), UploadId: aws.String(up.id)}); aerr != nil {
			s.log.WarnContext(ctx, "s3: abort multipart upload", "err", aerr)
		}
		return err
	}
	_, err = s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(l.bucket), Key: aws.String(l.key), UploadId: aws.String(up.id),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: up.parts},
	})
	if err != nil {
		return fmt.Errorf("complete multipart upload: %w", err)
	}
	return nil
}

// multipart is one block-list commit in progress.
type multipart struct {
	s     *Store
	l     loc
	id    string
	parts []types.CompletedPart
}

// run turns sources into parts: a source of at least minCopyPart starting
// a part is copied server-side; smaller ones are gathered until the part
// reaches the part size (or precedes a large source while already at
// least minCopyPart), then uploaded. Every part but the last is therefore
// at least minCopyPart, as S3 requires.
func (m *multipart) run(ctx context.Context, sources []source) error {
	var pend []source
	var pendSize int64
	flush := func() error {
		if len(pend) == 0 {
			return nil
		}
		err := m.uploadPart(ctx, pend, pendSize)
		pend, pendSize = nil, 0
		return err
	}
	for _, src := range sources {
		if src.size >= minCopyPart && (pendSize == 0 || pendSize >= minCopyPart) {
			if err := flush(); err != nil {
				return err
			}
			if err := m.copyPart(ctx, src); err != nil {
				return err
			}
			continue
		}
		pend = append(pend, src)
		pendSize += src.size
		if pendSize >= m.s.cfg.PartSize {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

func (m *multipart) partNumber() *int32 { return aws.Int32(int32(len(m.parts) + 1)) }

func (m *multipart) copyPart(ctx context.Context, src source) error {
	in := &s3.UploadPartCopyInput{
		Bucket: aws.String(m.l.bucket), Key: aws.String(m.l.key), UploadId: aws.String(m.id),
		PartNumber: m.partNumber(),
		CopySource: aws.String((&url.URL{Path: src.bucket + "/" + src.key}).EscapedPath()),
	}
	if !src.whole {
		in.CopySourceRange = aws.String(fmt.Sprintf("bytes=%d-%d", src.off, src.off+src.size-1))
		in.CopySourceIfMatch = aws.String(src.ifETag)
	}
	out, err := m.s.client.UploadPartCopy(ctx, in)
	if err != nil {
		return fmt.Errorf("copy block into part %d: %w", *in.PartNumber, err)
	}
	m.parts = append(m.parts, types.CompletedPart{PartNumber: in.PartNumber, ETag: out.CopyPartResult.ETag})
	return nil
}

// uploadPart concatenates small sources into a temp file (the SDK signs
// the payload, which needs a seekable body over plain HTTP) and uploads it
// as one part.
func (m *multipart) uploadPart(ctx context.Context, srcs []source, size int64) error {
	f, err := os.CreateTemp("", "lockstream-s3-part-*")
	if err != nil {
		return fmt.Errorf("spool part: %w", err)
	}
	defer func() {
		_ = f.Close()
		_ = os.Remove(f.Name())
	}()
	for _, src := range srcs {
		in := &s3.GetObjectInput{Bucket: aws.String(src.bucket), Key: aws.String(src.key)}
		if !src.whole {
			in.Range = aws.String(fmt.Sprintf("bytes=%d-%d", src.off, src.off+src.size-1))
			in.IfMatch = aws.String(src.ifETag)
		}
		if src.size == 0 {
			continue
		}
		out, err := m.s.client.GetObject(ctx, in)
		if err != nil {
			if isNotFound(err) || statusOf(err) == 412 {
				return fmt.Errorf("%w: block %q vanished", azfront.ErrInvalidBlockList, base64.StdEncoding.EncodeToString(src.id))
			}
			return fmt.Errorf("read block: %w", err)
		}
		n, err := io.Copy(f, out.Body)
		_ = out.Body.Close()
		if err != nil {
			return fmt.Errorf("read block: %w", err)
		}
		if n != src.size {
			return fmt.Errorf("%w: block %q changed size", azfront.ErrInvalidBlockList, base64.StdEncoding.EncodeToString(src.id))
		}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	pn := m.partNumber()
	out, err := m.s.client.UploadPart(ctx, &s3.UploadPartInput{
		Bucket: aws.String(m.l.bucket), Key: aws.String(m.l.key), UploadId: aws.String(m.id),
		PartNumber: pn, Body: f, ContentLength: aws.Int64(size),
	})
	if err != nil {
		return fmt.Errorf("upload part %d: %w", *pn, err)
	}
	m.parts = append(m.parts, types.CompletedPart{PartNumber: pn, ETag: out.ETag})
	return nil
}

// CleanupStaging deletes staged blocks older than olderThan (abandoned
// uploads; Azure drops uncommitted blocks after a week). A bucket
// lifecycle rule on the ".lockstream/staged/" prefix does the same
// without a node's help.
func (s *Store) CleanupStaging(ctx context.Context, olderThan time.Duration) error {
	cutoff := s.now().Add(-olderThan)
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: aws.String(s.cfg.Bucket), Prefix: aws.String(sysPrefix + "staged/")})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("s3: cleanup staging: %w", err)
		}
		var old []string
		for _, o := range page.Contents {
			if aws.ToTime(o.LastModified).Before(cutoff) {
				old = append(old, aws.ToString(o.Key))
			}
		}
		if err := s.deleteKeys(ctx, s.cfg.Bucket, old); err != nil {
			return fmt.Errorf("s3: cleanup staging: %w", err)
		}
	}
	return nil
}
