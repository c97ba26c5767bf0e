package signkeys

import (
	"testing"
	"time"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func testSet(ks ...*Key) *keySet {
	return newKeySet(ks, t0, timing{lifetime: 24 * time.Hour, prePublish: time.Hour, overlap: 65 * time.Minute})
}

func testKey(seq int64, activates time.Duration, revoked bool) *Key {
	return &Key{doc: keyDoc{KID: keyName(seq), Seq: seq, Revoked: revoked}, activates: t0.Add(activates)}
}

// TestPlan pins the rotation schedule both services rely on: the
// successor is due PrePublish before the signer's Lifetime ends and
// activates when it ends.
func TestPlan(t *testing.T) {
	k1 := testKey(1, 0, false)
	for _, c := range []struct {
		name string
		set  *keySet
		at   time.Duration
		need bool
		act  time.Duration
	}{
		{"empty store", testSet(), 0, true, 0},
		{"signer young", testSet(k1), 22*time.Hour + 59*time.Minute, false, 0},
		{"successor due", testSet(k1), 23 * time.Hour, true, 24 * time.Hour},
		{"successor published", testSet(k1, testKey(2, 24*time.Hour, false)), 23*time.Hour + time.Minute, false, 0},
		{"after downtime", testSet(k1), 30 * time.Hour, true, 30 * time.Hour},
		{"signer revoked", testSet(testKey(1, 0, true)), time.Hour, true, time.Hour},
	} {
		need, act := c.set.plan(t0.Add(c.at))
		if need != c.need || (need && !act.Equal(t0.Add(c.act))) {
			t.Errorf("%s: plan = %v, %v; want %v, %v", c.name, need, act.Sub(t0), c.need, c.act)
		}
	}
}

// TestSignerAndRetirement: a successor is published before it signs, and
// the old key stays published for Overlap after the successor took over.
func TestSignerAndRetirement(t *testing.T) {
	k1, k2 := testKey(1, 0, false), testKey(2, 24*time.Hour, false)
	set := testSet(k1, k2)
	for _, c := range []struct {
		at        time.Duration
		signer    *Key
		published int
	}{
		{23 * time.Hour, k1, 2},
		{24 * time.Hour, k2, 2},
		{25*time.Hour + 4*time.Minute, k2, 2},
		{25*time.Hour + 5*time.Minute, k2, 1},
	} {
		now := t0.Add(c.at)
		if got := set.signerAt(now); got != c.signer {
			t.Errorf("at %v: signer %s, want %s", c.at, got.KID(), c.signer.KID())
		}
		if got := len(set.published(now)); got != c.published {
			t.Errorf("at %v: %d published, want %d", c.at, got, c.published)
		}
	}
	// A forced rotation (newer number, earlier activation) overtakes a
	// pre-published successor.
	k3 := testKey(3, 23*time.Hour, false)
	if got := testSet(k1, k2, k3).signerAt(t0.Add(23 * time.Hour)); got != k3 {
		t.Errorf("signer %s, want the forced key", got.KID())
	}
}
