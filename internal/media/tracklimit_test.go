package media

import (
	"context"
	"errors"
	"testing"

	"github.com/lockstream/lockstream/internal/test/mediatest"
)

// TestTrackLimits: a file with more than MaxTracksPerFile tracks, or a
// presentation with more than MaxTracksPerPresentation, is refused as
// unsupported input (the origin's 415) before any track is described; at
// the limit it is packaged.
func TestTrackLimits(t *testing.T) {
	ctx := context.Background()
	at, err := mediatest.ManyTracksMP4(MaxTracksPerFile)
	if err != nil {
		t.Fatal(err)
	}
	tracks, err := ParseFile(ctx, memSource(at), "at.mp4", int64(len(at)))
	if err != nil || len(tracks) != MaxTracksPerFile {
		t.Fatalf("%d tracks: %d parsed, %v", MaxTracksPerFile, len(tracks), err)
	}
	p, err := Load(ctx, memSource(at), []Ref{{File: "at.mp4", Size: int64(len(at))}}, Options{})
	if err != nil || len(p.Tracks) != MaxTracksPerFile {
		t.Fatalf("presentation at the limit: %v", err)
	}

	over, err := mediatest.ManyTracksMP4(MaxTracksPerFile + 1)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ParseFile(ctx, memSource(over), "over.mp4", int64(len(over)))
	if !errors.Is(err, ErrTooManyTracks) || !errors.Is(err, ErrUnsupported) {
		t.Fatalf("%d tracks in a file: %v, want ErrTooManyTracks (unsupported)", MaxTracksPerFile+1, err)
	}
	// The same file twice in one presentation: within the file limit,
	// over the presentation's.
	ref := Ref{File: "at.mp4", Size: int64(len(at))}
	_, err = Load(ctx, memSource(at), []Ref{ref, ref}, Options{})
	if !errors.Is(err, ErrTooManyTracks) {
		t.Fatalf("%d tracks in a presentation: %v, want ErrTooManyTracks", 2*MaxTracksPerFile, err)
	}
}
