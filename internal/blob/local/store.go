package local

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/blob/azfront"
)

var (
	_ blob.Store                 = (*Store)(nil)
	_ azfront.Backend            = (*Store)(nil)
	_ azfront.VersionReader      = (*Store)(nil)
	_ azfront.ContainerDescriber = (*Store)(nil)
)

// ErrNameConflict is returned when a blob name would need a path that is
// already used the other way round on disk: writing "a" while "a/b" exists,
// or "a/b" while "a" exists. Azure allows both; a file system cannot. It
// is azfront's, so the blob endpoint answers 409 BlobNameConflict.
var ErrNameConflict = azfront.ErrNameConflict

// Config configures a local Store.
type Config struct {
	// Root is the directory holding one sub-directory per container. It is
	// created if missing.
	Root string
	// PublicBaseURL is the externally visible base URL under which the
	// server mounts NewBlobHandler at URLPrefix, e.g.
	// "https://media.example.com". Required for SignedContainerURL.
	PublicBaseURL string
	// URLPrefix is the path below PublicBaseURL where the handler is
	// mounted; default PathPrefix ("/blob/"). "/" gives Azure's layout,
	// https://host/{container}?sas, which client code that rewrites
	// container URLs (taking the first path segment as the container)
	// needs; it takes a listener of its own, as Azure's blob endpoint is a
	// host of its own.
	URLPrefix string
	// SigningKey is the HMAC-SHA256 secret for signed container URLs; at
	// least MinSigningKeyBytes long. Without it SignedContainerURL fails and
	// the handler refuses every request.
	SigningKey []byte
	// Logger receives best-effort failures (sidecar writes, cleanup). Nil
	// discards them.
	Logger *slog.Logger
	// Now is the clock used for expiry checks; nil means time.Now. Tests
	// inject a fixed clock.
	Now func() time.Time
}

// Store is the default blob backend: containers are directories under a
// root, blobs are plain files written atomically.
type Store struct {
	root    *os.Root
	baseURL string
	prefix  string          // URLPrefix: "/" or "/…/"
	sig     *azfront.Signer // nil without a SigningKey
	log     *slog.Logger
	now     func() time.Time

	// mu serialises DeleteContainer against publishing renames, so a blob
	// cannot be renamed into a container directory that is being moved to
	// the trash (which would silently resurrect the container).
	mu sync.RWMutex

	staging stagingTracker
	maps    mapCache // files mapped for MapRange
}

// New opens (creating if needed) a Store rooted at cfg.Root.
func New(cfg Config) (*Store, error) {
	if cfg.Root == "" {
		return nil, errors.New("local: config: Root is required")
	}
	if len(cfg.SigningKey) > 0 && len(cfg.SigningKey) < MinSigningKeyBytes {
		return nil, fmt.Errorf("local: config: SigningKey must be at least %d bytes", MinSigningKeyBytes)
	}
	if err := os.MkdirAll(cfg.Root, dirPerm); err != nil {
		return nil, fmt.Errorf("local: create root %q: %w", cfg.Root, err)
	}
	root, err := os.OpenRoot(cfg.Root)
	if err != nil {
		return nil, fmt.Errorf("local: open root %q: %w", cfg.Root, err)
	}
	for _, d := range []string{metaDir, committedDir, blocksDir, tmpDir, trashDir} {
		if err := root.MkdirAll(d, dirPerm); err != nil {
			_ = root.Close()
			return nil, fmt.Errorf("local: create %q: %w", d, err)
		}
	}
	s := &Store{
		root:    root,
		baseURL: strings.TrimRight(cfg.PublicBaseURL, "/"),
		prefix:  cfg.URLPrefix,
		log:     cfg.Logger,
		now:     cfg.Now,
		staging: stagingTracker{m: make(map[string]*stageStat)},
	}
	if s.prefix == "" {
		s.prefix = PathPrefix
	}
	if !strings.HasPrefix(s.prefix, "/") || !strings.HasSuffix(s.prefix, "/") {
		_ = root.Close()
		return nil, fmt.Errorf("local: URLPrefix %q must start and end with /", cfg.URLPrefix)
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if len(cfg.SigningKey) > 0 {
		// The signer's base is where the handler is mounted, so its URLs
		// are PublicBaseURL + URLPrefix + container.
		if s.sig, err = azfront.NewSigner(cfg.SigningKey, s.baseURL+strings.TrimSuffix(s.prefix, "/"), s.now); err != nil {
			_ = root.Close()
			return nil, fmt.Errorf("local: config: %w", err)
		}
	}
	// Leftovers of a crash: temp files and trashed containers are never
	// referenced, so removing them at start-up is always safe.
	s.emptyDir(tmpDir)
	s.emptyDir(trashDir)
	return s, nil
}

// Close releases the root directory handle.
func (s *Store) Close() error {
	s.maps.closeAll()
	return s.root.Close()
}

func (s *Store) emptyDir(dir string) {
	entries, err := fs.ReadDir(s.root.FS(), dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if err := s.root.RemoveAll(dir + "/" + e.Name()); err != nil {
			s.log.Warn("local: cleanup", "path", dir+"/"+e.Name(), "err", err)
		}
	}
}

// CreateContainer creates the container directory; existing is fine.
func (s *Store) CreateContainer(ctx context.Context, container string) error {
	if err := blob.ValidateContainer(container); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.root.Mkdir(container, dirPerm)
	if err == nil || errors.Is(err, fs.ErrExist) {
		if fi, serr := s.root.Stat(container); serr == nil && fi.IsDir() {
			return nil
		}
	}
	return fmt.Errorf("local: create container %q: %w", container, err)
}

// DeleteContainer moves the container and its private state to the trash
// (one rename each, so readers see it vanish at once) and then removes it.
func (s *Store) DeleteContainer(ctx context.Context, container string) error {
	if err := blob.ValidateContainer(container); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var trashed []string
	s.mu.Lock()
	for _, p := range []string{container, metaDir + "/" + container, committedDir + "/" + container, blocksDir + "/" + container} {
		dst := trashDir + "/" + rand.Text()
		err := s.root.Rename(p, dst)
		switch {
		case err == nil:
			trashed = append(trashed, dst)
		case errors.Is(err, fs.ErrNotExist):
		default:
			s.mu.Unlock()
			return fmt.Errorf("local: delete container %q: %w", container, err)
		}
	}
	s.mu.Unlock()
	s.staging.forgetContainer(container)
	s.maps.forgetPrefix(container + "/")
	for _, p := range trashed {
		if err := s.root.RemoveAll(p); err != nil {
			// The container is already gone for readers; the trash is
			// emptied again at the next start.
			s.log.Warn("local: empty trash", "path", p, "err", err)
		}
	}
	return nil
}

func (s *Store) containerExists(container string) error {
	fi, err := s.root.Stat(container)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("container %q: %w", container, blob.ErrNotFound)
		}
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("container %q: %w", container, blob.ErrNotFound)
	}
	return nil
}

// List walks the container directory. The walk starts at the deepest
// directory the prefix fully names, so listing "videos/abc/" in a large
// container does not visit unrelated trees.
func (s *Store) List(ctx context.Context, container, prefix string) ([]blob.Info, error) {
	listed, err := s.list(ctx, container, prefix)
	if err != nil {
		return nil, err
	}
	out := make([]blob.Info, len(listed))
	for i, l := range listed {
		out[i] = l.Info
	}
	return out, nil
}

func (s *Store) list(ctx context.Context, container, prefix string) ([]azfront.Object, error) {
	if err := blob.ValidateContainer(container); err != nil {
		return nil, err
	}
	if err := blob.ValidatePrefix(prefix); err != nil {
		return nil, err
	}
	if err := s.containerExists(container); err != nil {
		return nil, fmt.Errorf("local: list: %w", err)
	}
	start := container
	if i := strings.LastIndex(prefix, "/"); i > 0 {
		start = container + "/" + prefix[:i]
	}
	fsys := s.root.FS()
	var out []azfront.Object
	err := fs.WalkDir(fsys, start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrInvalid) || isNotDir(err) {
				return nil // prefix directory absent, or a file: nothing (more) to list
			}
			return err
		}
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		// Only regular files are blobs; symlinks and specials an operator
		// may have left are skipped rather than followed.
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		name := strings.TrimPrefix(p, container+"/")
		if !strings.HasPrefix(name, prefix) || blob.ValidateName(name) != nil {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // deleted while walking
			}
			return err
		}
		info, sc := s.infoOf(container, name, fi)
		out = append(out, azfront.Object{Info: info, MD5: sc.MD5})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("local: list %q prefix %q: %w", container, prefix, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Stat describes one blob.
func (s *Store) Stat(ctx context.Context, container, name string) (blob.Info, error) {
	info, _, err := s.stat(ctx, container, name)
	return info, err
}

func (s *Store) stat(ctx context.Context, container, name string) (blob.Info, sidecar, error) {
	if err := blob.ValidateContainer(container); err != nil {
		return blob.Info{}, sidecar{}, err
	}
	if err := blob.ValidateName(name); err != nil {
		return blob.Info{}, sidecar{}, err
	}
	if err := ctx.Err(); err != nil {
		return blob.Info{}, sidecar{}, err
	}
	fi, err := s.root.Stat(dataPath(container, name))
	if err != nil || !fi.Mode().IsRegular() {
		if err == nil || errors.Is(err, fs.ErrNotExist) || isNotDir(err) {
			if cerr := s.containerExists(container); cerr != nil {
				return blob.Info{}, sidecar{}, fmt.Errorf("local: stat %q: %w", name, cerr)
			}
			return blob.Info{}, sidecar{}, fmt.Errorf("local: stat %q/%q: %w", container, name, blob.ErrNotFound)
		}
		return blob.Info{}, sidecar{}, fmt.Errorf("local: stat %q/%q: %w", container, name, err)
	}
	info, sc := s.infoOf(container, name, fi)
	return info, sc, nil
}

// sectionReadCloser keeps the file open for as long as the caller reads.
type sectionReadCloser struct {
	*io.SectionReader
	f *os.File
}

func (r *sectionReadCloser) Close() error { return r.f.Close() }

// ReadRange opens the blob and returns a reader over [off, off+n). The file
// is never read ahead: io.SectionReader issues pread(2) calls as the caller
// consumes, and an open descriptor keeps reading the version it opened even
// if the blob is replaced meanwhile.
func (s *Store) ReadRange(ctx context.Context, container, name string, off, n int64) (io.ReadCloser, error) {
	return s.readRange(ctx, container, name, "", off, n)
}

// readRange is ReadRange of the version with etag ("" for any), failing
// with azfront.ErrVersionChanged when the blob is another version.
func (s *Store) readRange(ctx context.Context, container, name, etag string, off, n int64) (io.ReadCloser, error) {
	f, fi, err := s.open(ctx, container, name)
	if err != nil {
		return nil, fmt.Errorf("local: read range %q: %w", name, err)
	}
	if etag != "" && identityOf(fi).etag() != etag {
		_ = f.Close()
		return nil, fmt.Errorf("local: read range %q: %w", name, azfront.ErrVersionChanged)
	}
	size := fi.Size()
	if off < 0 || off > size {
		_ = f.Close()
		return nil, fmt.Errorf("local: read range %q at %d of %d: %w", name, off, size, blob.ErrRange)
	}
	if n < 0 || n > size-off {
		n = size - off
	}
	return &sectionReadCloser{SectionReader: io.NewSectionReader(f, off, n), f: f}, nil
}

// open opens a blob's data file and returns it with its FileInfo.
func (s *Store) open(ctx context.Context, container, name string) (*os.File, os.FileInfo, error) {
	if err := blob.ValidateContainer(container); err != nil {
		return nil, nil, err
	}
	if err := blob.ValidateName(name); err != nil {
		return nil, nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	f, err := s.root.Open(dataPath(container, name))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || isNotDir(err) {
			if cerr := s.containerExists(container); cerr != nil {
				return nil, nil, cerr
			}
			return nil, nil, fmt.Errorf("%q/%q: %w", container, name, blob.ErrNotFound)
		}
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		_ = f.Close()
		return nil, nil, fmt.Errorf("%q/%q: %w", container, name, blob.ErrNotFound)
	}
	return f, fi, nil
}

// Delete removes one blob, its sidecars and its staged blocks; absent is
// not an error.
func (s *Store) Delete(ctx context.Context, container, name string) error {
	if err := blob.ValidateContainer(container); err != nil {
		return err
	}
	if err := blob.ValidateName(name); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	defer s.maps.forget(container + "/" + name)
	p := dataPath(container, name)
	if fi, err := s.root.Lstat(p); err == nil && !fi.IsDir() {
		if err := s.root.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("local: delete %q/%q: %w", container, name, err)
		}
	}
	s.removeQuiet(metaPath(container, name))
	s.removeQuiet(committedPath(container, name))
	s.discardStaged(container, name)
	s.pruneEmptyParents(container, p)
	s.pruneEmptyParents(metaDir+"/"+container, metaPath(container, name))
	s.pruneEmptyParents(committedDir+"/"+container, committedPath(container, name))
	return nil
}

// removeQuiet removes a private file whose absence is as good as removal.
func (s *Store) removeQuiet(p string) {
	if fi, err := s.root.Lstat(p); err != nil || fi.IsDir() {
		return
	}
	if err := s.root.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		s.log.Warn("local: remove", "path", p, "err", err)
	}
}

// pruneEmptyParents removes now-empty directories between p and stop, so
// deleting "a/b" frees the name "a" for a later blob. Remove fails on a
// non-empty directory, which ends the walk; a concurrent writer that loses
// its freshly made parent retries in publish.
func (s *Store) pruneEmptyParents(stop, p string) {
	for dir := parentDir(p); dir != stop && strings.HasPrefix(dir, stop+"/"); dir = parentDir(dir) {
		if s.root.Remove(dir) != nil {
			return
		}
	}
}
