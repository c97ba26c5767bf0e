package origin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"sort"
	"strings"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/ism"
	"github.com/lockstream/lockstream/internal/media"
)

// blobSource reads one container's files for package media.
type blobSource struct {
	store     assetReader
	container string
}

func (b blobSource) ReadRange(ctx context.Context, name string, off, n int64) (io.ReadCloser, error) {
	return b.store.ReadRange(ctx, b.container, name, off, n)
}

// MapRange implements media.Mapper when the store maps its files
// (blob.Mapper); blob.ErrNotMapped otherwise.
func (b blobSource) MapRange(ctx context.Context, name string, off, n int64) ([]byte, func(), error) {
	m, ok := b.store.(blob.Mapper)
	if !ok {
		return nil, nil, blob.ErrNotMapped
	}
	return m.MapRange(ctx, b.container, name, off, n)
}

// mediaExt lists the file extensions a derived manifest takes.
var mediaExt = map[string]bool{".mp4": true, ".ismv": true, ".isma": true, ".m4a": true, ".m4v": true, ".cmfv": true, ".cmfa": true}

// presentation returns the presentation of the server manifest name of the
// locator's asset: its .ism, or, when the asset has none and name is the
// asset's name, one derived from every media file.
func (s *Server) presentation(ctx context.Context, li *locatorInfo, name string) (*media.Presentation, string, error) {
	r, err := li.resolve(name, func() (resolved, error) { return s.resolve(ctx, li, name) })
	if err != nil {
		return nil, "", err
	}
	src := blobSource{s.Blob, li.Container}
	p, err := s.cache.Get(ctx, r.key, func(ctx context.Context) (*media.Presentation, error) {
		return media.Load(ctx, src, r.refs, media.Options{TargetDuration: s.TargetDuration})
	})
	if err != nil {
		return nil, "", mediaError(err)
	}
	return p, r.key, nil
}

// resolved is what a server manifest name stands for in a container: the
// media files it reads and the presentation cache key of their versions.
type resolved struct {
	key  string
	refs []media.Ref
}

// resolve lists the container and reads the .ism (or derives the
// manifest), so that it runs once per locator cache lifetime, not per
// segment: on Azure Blob these are two round trips.
func (s *Server) resolve(ctx context.Context, li *locatorInfo, name string) (resolved, error) {
	infos, err := s.Blob.List(ctx, li.Container, "")
	if errors.Is(err, blob.ErrNotFound) {
		return resolved{}, mpe(http.StatusNotFound, codeStorageNotFound, "the asset's storage container does not exist")
	}
	if err != nil {
		return resolved{}, fmt.Errorf("list %s: %w", li.Container, err)
	}
	byName := make(map[string]blob.Info, len(infos))
	var isms, files []blob.Info
	for _, in := range infos {
		byName[in.Name] = in
		ext := strings.ToLower(path.Ext(in.Name))
		switch {
		case ext == ".ism":
			isms = append(isms, in)
		case mediaExt[ext]:
			files = append(files, in)
		}
	}
	src := blobSource{s.Blob, li.Container}
	var (
		refs []media.Ref
		used []blob.Info
	)
	if m := matchISM(isms, name); m != nil {
		refs, err = s.ismRefs(ctx, src, *m, byName)
		if err != nil {
			return resolved{}, err
		}
		used = append(used, *m)
	} else if len(isms) == 0 && strings.EqualFold(name, li.Asset.Name) && len(files) > 0 {
		sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
		for _, f := range files {
			refs = append(refs, media.Ref{File: f.Name, Size: f.Size})
		}
	} else {
		return resolved{}, mpe(http.StatusNotFound, codeResourceNotFound, "the asset has no server manifest %q", name+".ism")
	}
	for _, r := range refs {
		used = append(used, byName[r.File])
	}
	// The key changes whenever a file the presentation reads changes, so
	// replaced media gets new sample tables (once the locator info that
	// keeps this resolution is reloaded).
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%d\x00", li.Container, name, s.TargetDuration)
	for _, u := range used {
		fmt.Fprintf(h, "%s\x00%d\x00%s\x00%d\x00", u.Name, u.Size, u.ETag, u.Modified.UnixNano())
	}
	return resolved{key: hex.EncodeToString(h.Sum(nil)[:16]), refs: refs}, nil
}

// matchISM finds name.ism, exactly or else ignoring case.
func matchISM(isms []blob.Info, name string) *blob.Info {
	for i := range isms {
		if strings.TrimSuffix(isms[i].Name, path.Ext(isms[i].Name)) == name {
			return &isms[i]
		}
	}
	for i := range isms {
		if strings.EqualFold(strings.TrimSuffix(isms[i].Name, path.Ext(isms[i].Name)), name) {
			return &isms[i]
		}
	}
	return nil
}

// ismRefs reads a server manifest and turns its entries into media refs.
func (s *Server) ismRefs(ctx context.Context, src blobSource, in blob.Info, byName map[string]blob.Info) ([]media.Ref, error) {
	if in.Size > ism.MaxSize {
		return nil, mpe(http.StatusUnsupportedMediaType, codeInputNotSupported, "%s is larger than %d bytes", in.Name, ism.MaxSize)
	}
	rc, err := src.ReadRange(ctx, in.Name, 0, -1)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", in.Name, err)
	}
	defer rc.Close()
	m, err := ism.Parse(rc)
	if err != nil {
		return nil, mpe(http.StatusUnsupportedMediaType, codeInputNotSupported, "%s: %v", in.Name, err)
	}
	dir := path.Dir(in.Name)
	var refs []media.Ref
	for _, e := range m.Entries {
		var kind media.Kind
		switch e.Kind {
		case ism.KindVideo:
			kind = media.Video
		case ism.KindAudio:
			kind = media.Audio
		default:
			continue // text streams are not packaged yet
		}
		file := e.Src
		if dir != "." {
			file = dir + "/" + e.Src
		}
		f, ok := byName[file]
		if !ok {
			return nil, mpe(http.StatusNotFound, codeStorageNotFound, "%s names %s, which is not in the asset", in.Name, e.Src)
		}
		refs = append(refs, media.Ref{File: file, Size: f.Size, Kind: kind, TrackID: e.TrackID,
			Name: e.TrackName, Bitrate: e.SystemBitrate, Language: e.Language})
	}
	if len(refs) == 0 {
		return nil, mpe(http.StatusUnsupportedMediaType, codeInputNotSupported, "%s lists no audio or video", in.Name)
	}
	return refs, nil
}

// mediaError maps packaging input failures to MPE answers.
func mediaError(err error) error {
	var me *mpeError
	switch {
	case errors.As(err, &me):
		return me
	case errors.Is(err, media.ErrEncrypted):
		return mpe(http.StatusUnsupportedMediaType, codeInputEncrypted, "%v", err)
	case errors.Is(err, media.ErrMalformed), errors.Is(err, media.ErrUnsupported):
		return mpe(http.StatusUnsupportedMediaType, codeInputNotSupported, "%v", err)
	case errors.Is(err, blob.ErrNotFound):
		return mpe(http.StatusNotFound, codeStorageNotFound, "an asset file disappeared: %v", err)
	}
	return err
}
