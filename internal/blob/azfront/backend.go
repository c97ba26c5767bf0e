package azfront

import (
	"context"
	"errors"
	"io"

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

// Backend is the storage the front serves: a blob store that can also
// stage blocks and commit block lists. Errors wrap blob.ErrNotFound,
// blob.ErrInvalidName, ErrInvalidBlockList, ErrBlockLimit or the reader's
// own error; readers handed to PutBlob and StageBlock fail instead of
// returning io.EOF when their digest check fails, and a backend must then
// leave nothing visible.
type Backend interface {
	ContainerExists(ctx context.Context, container string) error
	StatObject(ctx context.Context, container, name string) (Object, error)
	ListObjects(ctx context.Context, container, prefix string) ([]Object, error)
	ReadRange(ctx context.Context, container, name string, off, n int64) (io.ReadCloser, error)
	Delete(ctx context.Context, container, name string) error
	// PutBlob replaces the blob with r (exactly size bytes) atomically.
	PutBlob(ctx context.Context, container, name string, r io.Reader, size int64, props Props) (Object, error)
	// StageBlock stores one uncommitted block, replacing one of the same id.
	StageBlock(ctx context.Context, container, name string, id []byte, r io.Reader, size int64) error
	// Blocks returns the committed block list of the current version (nil
	// when it was not written by a block list) and the staged blocks.
	Blocks(ctx context.Context, container, name string) (committed, staged []Block, err error)
	// CommitBlocks assembles the blocks into the new content atomically
	// and drops every staged block of the blob.
	CommitBlocks(ctx context.Context, container, name string, refs []BlockRef, props Props) (Object, error)
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
)
