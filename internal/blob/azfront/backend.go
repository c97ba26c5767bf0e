package azfront

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/lockstream/lockstream/internal/blob"
)

// Object is one blob as the front reports it: the blob's Info plus its
// Content-MD5 property (nil when none was stored).
type Object struct {
	blob.Info
	MD5 []byte
}

// Props are the properties stored with a new blob version.
type Props struct {
	ContentType string
	MD5         []byte // Content-MD5 property; nil for none
}

// Block is one staged or committed block: its raw id (1–64 bytes) and
// size.
type Block struct {
	ID   []byte
	Size int64
}

// BlockKind says where Put Block List looks a block id up.
type BlockKind int

// Block list entry kinds, as Azure names them.
const (
	Latest      BlockKind = iota // the staged block if there is one, else the committed one
	Committed                    // only the blob's committed blocks
	Uncommitted                  // only staged blocks
)

func (k BlockKind) String() string {
	switch k {
	case Committed:
		return "Committed"
	case Uncommitted:
		return "Uncommitted"
	default:
		return "Latest"
	}
}

// BlockRef is one entry of a Put Block List, in document order.
type BlockRef struct {
	Kind BlockKind
	ID   []byte
}

// Limits bound what one blob may have staged and the size of a blob
// assembled from blocks (Options.MaxUncommittedBlocks and MaxBlobBytes;
// zero or less: unbounded). A backend enforces them where that is cheap:
// the local backend counts staged blocks in memory; the S3 backend does
// not, as counting would cost a listing per Put Block (see the package
// documentation).
type Limits struct {
	MaxBlobBytes         int64 // staged bytes per blob, and a committed blob's size
	MaxUncommittedBlocks int   // staged blocks per blob
}

// Backend is the storage the front serves: a blob store that can also
// stage blocks and commit block lists. Errors wrap blob.ErrNotFound,
// blob.ErrInvalidName, ErrNameConflict, ErrInvalidBlockList,
// ErrBlockLimit, ErrTooLarge, ErrMD5Mismatch or the reader's own error;
// readers handed to PutBlob and StageBlock fail instead of returning
// io.EOF when their digest check fails, and a backend must then leave
// nothing visible.
type Backend interface {
	ContainerExists(ctx context.Context, container string) error
	StatObject(ctx context.Context, container, name string) (Object, error)
	ListObjects(ctx context.Context, container, prefix string) ([]Object, error)
	ReadRange(ctx context.Context, container, name string, off, n int64) (io.ReadCloser, error)
	Delete(ctx context.Context, container, name string) error
	// PutBlob replaces the blob with r (exactly size bytes) atomically.
	PutBlob(ctx context.Context, container, name string, r io.Reader, size int64, props Props) (Object, error)
	// StageBlock stores one uncommitted block, replacing one of the same id.
	StageBlock(ctx context.Context, container, name string, id []byte, r io.Reader, size int64, lim Limits) error
	// Blocks returns the committed block list of the current version (nil
	// when it was not written by a block list) and the staged blocks.
	Blocks(ctx context.Context, container, name string) (committed, staged []Block, err error)
	// CommitBlocks assembles the blocks into the new content atomically
	// and drops every staged block of the blob. A backend that hashes the
	// assembled content fails with ErrMD5Mismatch when props.MD5 differs.
	CommitBlocks(ctx context.Context, container, name string, refs []BlockRef, props Props, lim Limits) (Object, error)
}

// ContainerProps are what Get Container Properties reports beyond
// existence.
type ContainerProps struct {
	ETag     string
	Modified time.Time
}

// ContainerDescriber is implemented by backends that can describe a
// container; Get Container Properties then sends its ETag and
// Last-Modified.
type ContainerDescriber interface {
	DescribeContainer(ctx context.Context, container string) (ContainerProps, error)
}

// VersionReader is implemented by backends that can read a range of
// exactly the version with a given ETag (S3: GET with If-Match), so a
// download never mixes the headers of one version with the bytes of
// another. ReadRangeVersion returns ErrVersionChanged when the blob has
// been replaced.
type VersionReader interface {
	ReadRangeVersion(ctx context.Context, container, name, etag string, off, n int64) (io.ReadCloser, error)
}

// Errors a Backend returns for protocol violations.
var (
	// ErrVersionChanged: the blob is no longer the version asked for.
	ErrVersionChanged = errors.New("blob changed since it was described")
	// ErrInvalidBlockList: a listed block does not exist (Azure:
	// InvalidBlockList).
	ErrInvalidBlockList = errors.New("block list references a block that does not exist")
	// ErrBlockLimit: too many blocks (Azure: BlockCountExceedsLimit).
	ErrBlockLimit = errors.New("too many blocks")
	// ErrTooLarge: content over a size limit (Azure: RequestBodyTooLarge).
	ErrTooLarge = errors.New("content exceeds the size limit")
	// ErrMD5Mismatch: the content's MD5 differs from the declared one
	// (Azure: Md5Mismatch).
	ErrMD5Mismatch = errors.New("MD5 of the content does not match the one the request declared")
	// ErrNameConflict: the name is used the other way round, as a blob
	// and as a prefix followed by '/', which a file system cannot hold
	// (Azure: 409 BlobNameConflict). It is a blob.ErrInvalidName.
	ErrNameConflict = fmt.Errorf("%w: name conflicts with an existing blob path", blob.ErrInvalidName)
)
