// Package local is the default blob.Store: one directory per container
// under a root directory, one plain file per blob.
//
// # Storage
//
// Names are validated strictly (no "..", ".", empty segments, leading '/',
// backslashes, NUL or control bytes) and every file access goes through an
// os.Root, so nothing can reach outside the root. Writes spool to a temp
// file under the root's private ".lockstream/tmp" directory (same file
// system, so the final rename is atomic), are fsynced and renamed over the
// old version: readers see the old or the new content, never a part, and a
// failed upload leaves nothing behind. Temp files live in the private area
// rather than beside the target so that no blob name has to be reserved and
// listings never see them. Reads use io.SectionReader over an open file, so
// nothing is read ahead into memory.
//
// MapRange (blob.Mapper) hands out a blob's bytes from a read-only shared
// mapping of its data file instead, for the streaming origin: since a
// committed file is never changed in place, a mapping stays valid for its
// readers even after the blob is replaced or deleted (the old inode lives
// until unmapped). Mappings are kept per path with the file's identity,
// at most 256 (least recently used retired first), and retired when the
// blob is replaced or deleted; a retired mapping is unmapped when its last
// reader releases it.
//
// A blob's ETag derives from its data file's inode, size and mtime. Its
// content type and MD5 are kept in a small JSON sidecar in a parallel tree
// (".lockstream/meta"), tied to that same identity: a sidecar left stale by
// a crash or a racing writer is ignored, and the content type is then
// inferred from the file extension (with streaming formats such as .m3u8,
// .mpd, .m4s and .ismv known even when the system MIME database lacks them).
// Files copied into a container by hand are therefore served too.
//
// A file system cannot hold both "a" and "a/b" as files; writing one while
// the other exists fails with ErrNameConflict (which is a
// blob.ErrInvalidName).
//
// # Signed URLs and the blob endpoint
//
// SignedContainerURL mints {PublicBaseURL}{URLPrefix}{container}?sv=…&se=…
// &sp=…&sr=c&sig=… with package azfront's Signer, keyed with
// Config.SigningKey. With URLPrefix "/" (what the node uses, on a listener
// of its own) the URL has Azure's layout, the container first in the path,
// so client code that rewrites container URLs works unchanged.
// NewBlobHandler, mounted at the URLPrefix, is azfront's endpoint over the
// Store (which implements azfront.Backend): the protocol, signatures,
// digests and conditional requests are azfront's; the Store keeps the
// file-system side. Staged blocks live under ".lockstream/blocks", are
// bounded per blob in count and bytes (azfront.Limits, counted in memory
// by a stagingTracker), and are dropped on commit, on overwrite and by
// Store.CleanupStaging.
package local
