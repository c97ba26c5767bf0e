package local

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"mime"
	"os"
	"path"
	"strings"

	"github.com/lockstream/lockstream/internal/blob"
)

// defaultContentType is what Azure reports for a blob stored without one.
const defaultContentType = "application/octet-stream"

// identity pins a sidecar to one version of a blob's data file. Every write
// publishes a brand-new file (new inode), and rename keeps its size and
// mtime, so a sidecar whose identity differs from the current data file
// belongs to another version: it is ignored rather than trusted. That makes
// the two-rename publish (sidecar, then data) safe without locking readers.
type identity struct {
	Size    int64  `json:"size"`
	MtimeNs int64  `json:"mtime_ns"`
	Ino     uint64 `json:"ino,omitempty"`
}

func identityOf(fi os.FileInfo) identity {
	return identity{Size: fi.Size(), MtimeNs: fi.ModTime().UnixNano(), Ino: inode(fi)}
}

// etag derives a strong ETag from the file identity alone, so it needs no
// sidecar and changes on every overwrite (new inode) even when size and
// mtime collide.
func (id identity) etag() string {
	h := fnv.New64a()
	var b [24]byte
	binary.LittleEndian.PutUint64(b[0:], uint64(id.Size))
	binary.LittleEndian.PutUint64(b[8:], uint64(id.MtimeNs))
	binary.LittleEndian.PutUint64(b[16:], id.Ino)
	_, _ = h.Write(b[:])
	return fmt.Sprintf(`"0x%X"`, h.Sum64())
}

// sidecar is the small JSON file kept beside each blob (in the parallel
// meta tree) with what a plain file cannot carry.
type sidecar struct {
	V           int      `json:"v"`
	Of          identity `json:"of"`
	ContentType string   `json:"content_type,omitempty"`
	MD5         []byte   `json:"md5,omitempty"`
}

// committedList records the blocks a Put Block List committed, so a later
// Put Block List can reference them as <Committed>.
type committedList struct {
	V      int              `json:"v"`
	Of     identity         `json:"of"`
	Blocks []committedBlock `json:"blocks"`
}

type committedBlock struct {
	ID   string `json:"id"` // base64 as the client sent it
	Size int64  `json:"size"`
}

// readSidecar returns the sidecar for the data file described by id, or a
// zero sidecar when it is absent, unreadable or stale.
func (s *Store) readSidecar(container, name string, id identity) sidecar {
	raw, err := s.root.ReadFile(metaPath(container, name))
	if err != nil {
		return sidecar{}
	}
	var sc sidecar
	if json.Unmarshal(raw, &sc) != nil || sc.V != 1 || sc.Of != id {
		return sidecar{}
	}
	return sc
}

func (s *Store) readCommitted(container, name string, id identity) (committedList, bool) {
	raw, err := s.root.ReadFile(committedPath(container, name))
	if err != nil {
		return committedList{}, false
	}
	var cl committedList
	if json.Unmarshal(raw, &cl) != nil || cl.V != 1 || cl.Of != id {
		return committedList{}, false
	}
	return cl, true
}

// infoOf builds the public Info for a data file, preferring the sidecar's
// content type and falling back to the file extension.
func (s *Store) infoOf(container, name string, fi os.FileInfo) (blob.Info, sidecar) {
	id := identityOf(fi)
	sc := s.readSidecar(container, name, id)
	ct := sc.ContentType
	if ct == "" {
		ct = contentTypeByName(name)
	}
	return blob.Info{
		Name:        name,
		Size:        fi.Size(),
		Modified:    fi.ModTime().UTC(),
		ETag:        id.etag(),
		ContentType: ct,
	}, sc
}

// mediaType covers streaming formats that the system MIME database (which
// mime.TypeByExtension consults) often lacks or gets wrong.
func mediaType(ext string) string {
	switch ext {
	case ".m3u8":
		return "application/vnd.apple.mpegurl"
	case ".mpd":
		return "application/dash+xml"
	case ".ts":
		return "video/mp2t"
	case ".m4s":
		return "video/iso.segment"
	case ".mp4", ".m4v", ".ismv":
		return "video/mp4"
	case ".m4a", ".isma":
		return "audio/mp4"
	case ".ism", ".ismc":
		return "application/vnd.ms-sstr+xml"
	case ".vtt":
		return "text/vtt"
	case ".json":
		return "application/json"
	}
	return ""
}

// contentTypeByName is the fallback when no (valid) sidecar exists, e.g. for
// files an operator copied into a container directory by hand.
func contentTypeByName(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if ct := mediaType(ext); ct != "" {
		return ct
	}
	if ct := mime.TypeByExtension(ext); ct != "" {
		return ct
	}
	return defaultContentType
}
