package s3

import (
	"crypto/sha256"
	"encoding/hex"
)

// sysPrefix is the key prefix of Lockstream's private objects in
// Config.Bucket. No container name can start with '.', so in the
// one-bucket layout it never overlaps a container's keys.
const sysPrefix = ".lockstream/"

// loc is where one blob (or a container's blobs) lives.
type loc struct {
	bucket string
	key    string // object key; for a container: the key prefix of its blobs
}

// containerLoc returns the bucket and key prefix of a container's blobs.
func (s *Store) containerLoc(container string) loc {
	if s.cfg.BucketPerContainer {
		return loc{bucket: s.cfg.BucketPrefix + container}
	}
	return loc{bucket: s.cfg.Bucket, key: container + "/"}
}

func (s *Store) blobLoc(container, name string) loc {
	l := s.containerLoc(container)
	l.key += name
	return l
}

// markerKey is the object whose existence is the container's, in the
// one-bucket layout.
func markerKey(container string) string { return sysPrefix + "containers/" + container }

// nameDir names a blob's private directory: a hash, because a blob name
// may be 1024 bytes, S3's whole key limit.
func nameDir(container, name string) string {
	h := sha256.Sum256([]byte(name))
	return container + "/" + hex.EncodeToString(h[:])
}

// stagedPrefix is where a blob's uncommitted blocks live, one object per
// block named by the hex of the block id.
func stagedPrefix(container, name string) string {
	return sysPrefix + "staged/" + nameDir(container, name) + "/"
}

// stagedContainerPrefix covers every staged block of a container.
func stagedContainerPrefix(container string) string {
	return sysPrefix + "staged/" + container + "/"
}

// committedKey holds a blob's committed block list (JSON), tied to the
// blob version by its ETag.
func committedKey(container, name string) string {
	return sysPrefix + "committed/" + nameDir(container, name)
}

func committedContainerPrefix(container string) string {
	return sysPrefix + "committed/" + container + "/"
}
