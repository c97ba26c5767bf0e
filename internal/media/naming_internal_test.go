package media

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// naiveNames is the old naming loop (bump one bitrate at a time), kept as
// the reference the linear version must agree with.
func naiveNames(ts []*Track) {
	seen := map[trackKey]bool{}
	for _, t := range ts {
		for seen[trackKey{t.Name, t.Bitrate}] {
			t.Bitrate++
		}
		seen[trackKey{t.Name, t.Bitrate}] = true
	}
}

// TestNameTracksLinear: 10,000 tracks with one name and bitrate (the
// attack file's shape) are named with a number of lookups linear in the
// tracks; the old loop made about 50 million.
func TestNameTracksLinear(t *testing.T) {
	const n = 10_000
	ts := make([]*Track, n)
	for i := range ts {
		ts[i] = &Track{Kind: Audio, FourCC: "mp4a", Language: "und", Channels: 2, Bitrate: 128000}
	}
	probes := nameTracks(ts)
	t.Logf("%d tracks named with %d lookups (the old loop: %d)", n, probes, n*(n+1)/2)
	if probes > 3*n {
		t.Fatalf("%d lookups for %d tracks, want at most %d", probes, n, 3*n)
	}
	seen := map[trackKey]bool{}
	for i, tr := range ts {
		k := trackKey{tr.Name, tr.Bitrate}
		if seen[k] || tr.Bitrate != 128000+uint64(i) {
			t.Fatalf("track %d: %s/%d duplicate or not the next free bitrate", i, tr.Name, tr.Bitrate)
		}
		seen[k] = true
	}
}

// TestNameTracksMatchesReference: on random collisions the linear naming
// gives exactly the old names (URLs of existing assets stay valid).
func TestNameTracksMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		var a, b []*Track
		for range 1 + r.IntN(60) {
			tr := Track{Kind: Audio, FourCC: "mp4a", Language: []string{"en", "fr"}[r.IntN(2)], Channels: 2, Bitrate: uint64(100 + r.IntN(8))}
			if r.IntN(4) == 0 {
				tr.Name = fmt.Sprintf("named%d", r.IntN(2))
			}
			ca, cb := tr, tr
			a, b = append(a, &ca), append(b, &cb)
		}
		nameTracks(a)
		for _, tr := range b { // the naming half of nameTracks, then the old loop
			if tr.Name == "" {
				tr.Name = fmt.Sprintf("aac_%s_%d_%d", tr.Language, tr.Channels, tr.Bitrate)
			}
		}
		naiveNames(b)
		for i := range a {
			if a[i].Name != b[i].Name || a[i].Bitrate != b[i].Bitrate {
				t.Fatalf("round %d track %d: %s/%d, reference %s/%d", round, i, a[i].Name, a[i].Bitrate, b[i].Name, b[i].Bitrate)
			}
		}
	}
}
