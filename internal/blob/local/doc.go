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
// # Signed URLs and the blob handler
//
// SignedContainerURL mints {PublicBaseURL}{URLPrefix}{container}?sv=…&se=…
// &sp=…&sr=c&sig=…, an HMAC-SHA256 over the container, permissions, expiry,
// resource type and version, keyed with Config.SigningKey. With URLPrefix
// "/" (what the node uses, on a listener of its own) the URL has Azure's
// layout, the container first in the path, so client code that rewrites
// container URLs works unchanged; "." and ".." path segments are resolved
// as Azure's front end does. NewBlobHandler, mounted at the URLPrefix,
// verifies such URLs and speaks the subset of the
// Azure Blob REST API that the azblob SDK uses for block blobs: Put Blob,
// Put Block, Put Block List, Get Block List, Get Blob (ranged), Get Blob
// Properties, Delete Blob, List Blobs and Get Container Properties, with
// Azure's error XML, x-ms-error-code and status codes. Content-MD5,
// x-ms-blob-content-md5 and x-ms-content-crc64 are verified before a new
// version becomes visible. Staged blocks live under ".lockstream/blocks",
// are bounded per blob in count and bytes (HandlerOptions), and are dropped
// on commit, on overwrite and by Store.CleanupStaging.
package local
