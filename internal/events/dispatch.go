package events

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lockstream/lockstream/internal/store"
)

// dispatchBatch is how many outbox events one fan-out transaction takes.
const dispatchBatch = 200

// dispatch fans outbox events out to the subscriptions active when it
// runs, in transactions that insert the deliveries and delete the outbox
// rows together: a crash in between loses nothing and duplicates nothing
// (another node simply does the same fan-out).
func (e *Engine) dispatch(ctx context.Context) error {
	for {
		n := 0
		err := e.cfg.Store.WithTx(ctx, func(tx store.Tx) error {
			evs, err := tx.PendingOutbox(ctx, dispatchBatch)
			if err != nil {
				return err
			}
			n = len(evs)
			if n == 0 {
				return nil
			}
			now := e.now()
			subs := map[string][]*subscription{}
			var ds []store.Delivery
			done := make([]int64, 0, n)
			for _, ev := range evs {
				done = append(done, ev.Seq)
				list, ok := subs[ev.Scope]
				if !ok {
					if list, err = e.activeSubscriptions(ctx, tx, ev.Scope); err != nil {
						return err
					}
					subs[ev.Scope] = list
				}
				if len(list) == 0 {
					continue
				}
				var m map[string]any
				if err := json.Unmarshal(ev.Body, &m); err != nil {
					// Publish wrote it; an undecodable body is a bug, and
					// holding up the outbox for it would stop every event.
					e.log.Error("events: dropping undecodable outbox event", "id", ev.ID, "type", ev.Type, "err", err)
					continue
				}
				for _, s := range list {
					if !matches(s.props.Filter, m) || s.publishedBefore(ev.Time) {
						continue
					}
					ds = append(ds, store.Delivery{Scope: ev.Scope, Subscription: s.res.Name, EventID: ev.ID, EventType: ev.Type,
						Body: ev.Body, Published: ev.Time, Due: now})
				}
			}
			return tx.FanOut(ctx, done, ds)
		})
		if err != nil {
			return fmt.Errorf("fan out: %w", err)
		}
		if n < dispatchBatch {
			return nil
		}
	}
}

func (e *Engine) activeSubscriptions(ctx context.Context, r store.Reader, scope string) ([]*subscription, error) {
	rs, err := r.List(ctx, store.ListQuery{Kind: store.KindEventSubscription, Scope: scope})
	if err != nil {
		return nil, fmt.Errorf("list event subscriptions: %w", err)
	}
	now := e.now()
	var out []*subscription
	for _, res := range rs {
		s, err := decodeSubscription(res)
		if err != nil {
			e.log.Error("events: skipping an undecodable subscription", "subscription", res.Name, "err", err)
			continue
		}
		if s.active(now) {
			out = append(out, s)
		}
	}
	return out, nil
}
