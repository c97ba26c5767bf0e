package lockout

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/lockstream/lockstream/internal/store"
)

// Config sets the thresholds. Zero fields take the defaults of Defaults.
type Config struct {
	// Threshold failures from one source within Window lock that source
	// for Duration; defaults 10, 15 min, 15 min.
	Threshold int
	Window    time.Duration
	Duration  time.Duration
	// UnfamiliarThreshold failures from unfamiliar sources together within
	// Window lock every unfamiliar source; default 10 × Threshold.
	UnfamiliarThreshold int
	// FamiliarFor is how long a source stays familiar after its last
	// success; default 30 days.
	FamiliarFor time.Duration
	// From the DelayAfter-th failure of a source on, the failure answer
	// waits BaseDelay·2^(n−DelayAfter), capped at MaxDelay; defaults 3,
	// 250 ms, 4 s.
	DelayAfter int
	BaseDelay  time.Duration
	MaxDelay   time.Duration
}

// Defaults fills zero fields.
func (c *Config) Defaults() {
	set := func(p *time.Duration, v time.Duration) {
		if *p == 0 {
			*p = v
		}
	}
	seti := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	seti(&c.Threshold, 10)
	set(&c.Window, 15*time.Minute)
	set(&c.Duration, 15*time.Minute)
	seti(&c.UnfamiliarThreshold, 10*c.Threshold)
	set(&c.FamiliarFor, 30*24*time.Hour)
	seti(&c.DelayAfter, 3)
	set(&c.BaseDelay, 250*time.Millisecond)
	set(&c.MaxDelay, 4*time.Second)
}

// Tracker keeps lockout state of one kind of subject in the store.
type Tracker struct {
	Store store.Store
	// Kind and Scope place the records; Kind must be used for nothing else.
	Kind  store.Kind
	Scope string
	Cfg   Config
	Log   *slog.Logger
}

// State is what Check found for one attempt.
type State struct {
	// Locked is set when the attempt must be refused without checking
	// its credential, until Until.
	Locked bool
	Until  time.Time
	// Familiar: the source has authenticated the subject before.
	Familiar bool
}

// record is one stored counter or familiarity mark.
type record struct {
	Failures    int    `json:"failures,omitempty"`
	First       string `json:"first,omitempty"`       // window start
	LockedUntil string `json:"lockedUntil,omitempty"` // store.FormatTime
	Expires     string `json:"expires"`               // when the record may be swept
}

// Source returns the source of r for lockout: the remote IP address, or
// its /64 for IPv6.
func Source(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return "unknown"
	}
	a = a.Unmap().WithZone("")
	if a.Is6() {
		return netip.PrefixFrom(a, 64).Masked().String()
	}
	return a.String()
}

func (t *Tracker) key(tag, subject, source string) store.Key {
	sum := sha256.Sum256([]byte("lockstream lockout\x00" + tag + "\x00" + store.NameKey(subject) + "\x00" + source))
	return store.Key{Kind: t.Kind, Scope: t.Scope, Name: tag + "-" + hex.EncodeToString(sum[:20])}
}

func (t *Tracker) sourceKey(subject, source string) store.Key { return t.key("s", subject, source) }
func (t *Tracker) unfamiliarKey(subject string) store.Key     { return t.key("u", subject, "") }
func (t *Tracker) familiarKey(subject, source string) store.Key {
	return t.key("f", subject, source)
}

func parseTime(s string) time.Time {
	v, _ := time.Parse(store.TimeLayout, s)
	return v
}

func (t *Tracker) get(ctx context.Context, k store.Key) (*record, error) {
	res, err := t.Store.Get(ctx, k)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lockout: read: %w", err)
	}
	var d record
	if err := json.Unmarshal(res.Doc, &d); err != nil {
		return nil, fmt.Errorf("lockout: decode: %w", err)
	}
	return &d, nil
}

// Check reports whether an attempt for subject from source may proceed.
func (t *Tracker) Check(ctx context.Context, subject, source string, now time.Time) (State, error) {
	var st State
	f, err := t.get(ctx, t.familiarKey(subject, source))
	if err != nil {
		return st, err
	}
	st.Familiar = f != nil && now.Before(parseTime(f.Expires))
	keys := []store.Key{t.sourceKey(subject, source)}
	if !st.Familiar {
		keys = append(keys, t.unfamiliarKey(subject))
	}
	for _, k := range keys {
		d, err := t.get(ctx, k)
		if err != nil {
			return st, err
		}
		if d == nil {
			continue
		}
		if until := parseTime(d.LockedUntil); now.Before(until) && until.After(st.Until) {
			st.Locked, st.Until = true, until
		}
	}
	return st, nil
}

// Failure counts a failed attempt and returns how long to wait before
// answering it and whether the source is now locked.
func (t *Tracker) Failure(ctx context.Context, subject, source string, st State, now time.Time) (time.Duration, bool, error) {
	n, until, started, err := t.count(ctx, t.sourceKey(subject, source), t.Cfg.Threshold, now)
	if err != nil {
		return 0, false, err
	}
	if started {
		t.Log.WarnContext(ctx, "authentication locked for one source after repeated failures",
			"kind", string(t.Kind), "subject", truncate(subject), "source", source, "failures", n, "until", until)
	}
	locked := !until.IsZero()
	if !st.Familiar {
		un, uuntil, ustarted, err := t.count(ctx, t.unfamiliarKey(subject), t.Cfg.UnfamiliarThreshold, now)
		if err != nil {
			return 0, false, err
		}
		if ustarted {
			t.Log.WarnContext(ctx, "authentication locked for unfamiliar sources after repeated failures; familiar sources keep working",
				"kind", string(t.Kind), "subject", truncate(subject), "failures", un, "until", uuntil)
		}
		locked = locked || !uuntil.IsZero()
	}
	return t.delay(n), locked, nil
}

// Success forgets the source's failures and marks it familiar. It writes
// only when there is something to change, so the common case costs reads.
func (t *Tracker) Success(ctx context.Context, subject, source string, now time.Time) error {
	sk := t.sourceKey(subject, source)
	if d, err := t.get(ctx, sk); err != nil {
		return err
	} else if d != nil {
		if err := t.Store.WithTx(ctx, func(tx store.Tx) error { return tx.Delete(ctx, sk) }); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("lockout: reset: %w", err)
		}
	}
	fk := t.familiarKey(subject, source)
	f, err := t.get(ctx, fk)
	if err != nil {
		return err
	}
	// Refresh the mark when it is older than half its life.
	if f != nil && parseTime(f.Expires).Sub(now) > t.Cfg.FamiliarFor/2 {
		return nil
	}
	_, err = t.upsert(ctx, fk, now, func(d *record, _ bool) { *d = record{Expires: store.FormatTime(now.Add(t.Cfg.FamiliarFor))} })
	return err
}

// count adds a failure to the counter at k and returns the count, the end
// of its lock (zero when not locked) and whether this failure started it.
func (t *Tracker) count(ctx context.Context, k store.Key, threshold int, now time.Time) (int, time.Time, bool, error) {
	started := false
	d, err := t.upsert(ctx, k, now, func(d *record, exists bool) {
		started = false
		lockEnded := d.LockedUntil != "" && !now.Before(parseTime(d.LockedUntil))
		if !exists || lockEnded || now.Sub(parseTime(d.First)) > t.Cfg.Window {
			*d = record{First: store.FormatTime(now)}
		}
		d.Failures++
		if d.Failures >= threshold && d.LockedUntil == "" {
			d.LockedUntil, started = store.FormatTime(now.Add(t.Cfg.Duration)), true
		}
		exp := parseTime(d.First).Add(t.Cfg.Window)
		if until := parseTime(d.LockedUntil); until.After(exp) {
			exp = until
		}
		d.Expires = store.FormatTime(exp)
	})
	if err != nil {
		return 0, time.Time{}, false, err
	}
	var until time.Time
	if u := parseTime(d.LockedUntil); now.Before(u) {
		until = u
	}
	return d.Failures, until, started, nil
}

// upsert applies change to the record at k in a transaction, creating it
// when absent. A concurrent first write on another node makes Create
// conflict; the retry then finds the row.
func (t *Tracker) upsert(ctx context.Context, k store.Key, now time.Time, change func(d *record, exists bool)) (record, error) {
	var d record
	var err error
	for range 3 {
		err = t.Store.WithTx(ctx, func(tx store.Tx) error {
			res, err := tx.Get(ctx, k)
			exists := err == nil
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			d = record{}
			if exists {
				if err := json.Unmarshal(res.Doc, &d); err != nil {
					return err
				}
			}
			change(&d, exists)
			doc, err := json.Marshal(d)
			if err != nil {
				return err
			}
			if !exists {
				return tx.Create(ctx, &store.Resource{Kind: k.Kind, Scope: k.Scope, Name: k.Name, Created: now, Modified: now, Doc: doc}, nil)
			}
			res.Doc, res.Modified = doc, now
			return tx.Replace(ctx, res, nil)
		})
		if !errors.Is(err, store.ErrConflict) && !errors.Is(err, store.ErrStale) {
			break
		}
	}
	if err != nil {
		return record{}, fmt.Errorf("lockout: write: %w", err)
	}
	return d, nil
}

// delay is how long the answer to a source's n-th failure waits.
func (t *Tracker) delay(n int) time.Duration {
	c := t.Cfg
	if n < c.DelayAfter {
		return 0
	}
	d := c.BaseDelay
	for i := c.DelayAfter; i < n && d < c.MaxDelay; i++ {
		d *= 2
	}
	return min(d, c.MaxDelay)
}

// Sweep deletes up to a batch of expired records; call it periodically.
func (t *Tracker) Sweep(ctx context.Context, now time.Time) error {
	rs, err := t.Store.List(ctx, store.ListQuery{
		Kind: t.Kind, Scope: t.Scope,
		Filter: &store.Cond{Field: store.Field{Col: store.ColDoc, Path: "expires", Type: store.TypeTime}, Op: store.OpLt, Value: store.FormatTime(now)},
		Limit:  500,
	})
	if err != nil || len(rs) == 0 {
		return err
	}
	return t.Store.WithTx(ctx, func(tx store.Tx) error {
		for _, r := range rs {
			if err := tx.Delete(ctx, r.Key()); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		return nil
	})
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
