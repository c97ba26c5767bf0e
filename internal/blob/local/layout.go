package local

import (
	"crypto/sha256"
	"encoding/hex"
	"path"
)

// On-disk layout under Config.Root:
//
//	<container>/<blob name>                    blob content, a plain file
//	.lockstream/meta/<container>/<blob name>   sidecar JSON (content type, MD5)
//	.lockstream/committed/<container>/<name>   committed block list (Put Block List only)
//	.lockstream/blocks/<container>/<sha256(name)>/<hex(block id)>   staged blocks
//	.lockstream/tmp/                           temp files, renamed into place
//	.lockstream/trash/                         deleted containers awaiting RemoveAll
//
// Blob content stays a plain file so operators can inspect or back up a
// container with ordinary tools. Private state lives under ".lockstream",
// which validateContainer can never accept as a container name, and on the
// same file system as the data so rename(2) is atomic.
const (
	privDir      = ".lockstream"
	metaDir      = privDir + "/meta"
	committedDir = privDir + "/committed"
	blocksDir    = privDir + "/blocks"
	tmpDir       = privDir + "/tmp"
	trashDir     = privDir + "/trash"

	dirPerm  = 0o750
	filePerm = 0o640
)

// os.Root accepts slash-separated names on every platform we run on, and
// names are validated before they get here, so plain path joining is enough.

func dataPath(container, name string) string { return container + "/" + name }

func metaPath(container, name string) string { return metaDir + "/" + container + "/" + name }

func committedPath(container, name string) string {
	return committedDir + "/" + container + "/" + name
}

// stagingDir hashes the blob name so that staged blocks of "a" and "a/b" do
// not collide as file and directory, and so long names stay short on disk.
func stagingDir(container, name string) string {
	sum := sha256.Sum256([]byte(name))
	return blocksDir + "/" + container + "/" + hex.EncodeToString(sum[:])
}

func parentDir(p string) string { return path.Dir(p) }
