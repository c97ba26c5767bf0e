package events

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/store"
)

// deadLetter writes d with the reason into the subscription's dead-letter
// container and returns the DeadLetter settlement; when the blob cannot be
// written it returns a Retry settlement instead, so nothing is lost (the
// next try dead-letters again, under the same blob name).
func (e *Engine) deadLetter(ctx context.Context, s *subscription, d store.Delivery, r store.DeliveryResult, now time.Time) store.DeliveryResult {
	r.Seq, r.At = d.Seq, now
	if err := e.writeDeadLetter(ctx, s, d, r); err != nil {
		e.log.Error("events: write dead-letter blob", "subscription", s.res.Name, "event", d.EventID, "err", err)
		return store.DeliveryResult{Seq: d.Seq, Settle: store.Retry, At: now,
			Due: now.Add(backoff(e.cfg.Schedule, 1, e.cfg.Jitter)), Status: r.Status, Outcome: r.Outcome}
	}
	e.log.Warn("events: dead-lettered", "subscription", s.res.Name, "event", d.EventID, "type", d.EventType,
		"reason", r.Reason, "attempts", d.Attempts, "outcome", r.Outcome, "status", r.Status)
	r.Settle = store.DeadLetter
	return r
}

// DeadLetterName is the blob name of a dead-lettered event, as Event Grid
// lays them out: {account}/{SUBSCRIPTION}/{yyyy}/{mm}/{dd}/{hh}/{id}.json
// (hour of the dead-lettering; the event id makes a retried write land on
// the same blob).
func DeadLetterName(account, subscription, eventID string, at time.Time) string {
	at = at.UTC()
	return fmt.Sprintf("%s/%s/%04d/%02d/%02d/%02d/%s.json", strings.ToUpper(account), strings.ToUpper(subscription),
		at.Year(), at.Month(), at.Day(), at.Hour(), eventID)
}

func (e *Engine) writeDeadLetter(ctx context.Context, s *subscription, d store.Delivery, r store.DeliveryResult) error {
	dl := s.props.DeadLetterDestination
	if dl == nil || dl.Properties == nil || e.cfg.Blob == nil {
		// No destination: Event Grid drops the event; Lockstream keeps the
		// row (state dead) for `lockstream events replay`.
		return nil
	}
	var ev map[string]json.RawMessage
	if err := json.Unmarshal(d.Body, &ev); err != nil {
		return fmt.Errorf("decode event: %w", err)
	}
	put := func(k string, v any) {
		b, _ := json.Marshal(v)
		ev[k] = b
	}
	put("deadLetterReason", r.Reason)
	put("deliveryAttempts", d.Attempts)
	put("lastDeliveryOutcome", r.Outcome)
	put("lastHttpStatusCode", r.Status)
	put("publishTime", d.Published.Format(timeLayout))
	if !d.LastAttempt.IsZero() {
		put("lastDeliveryAttemptTime", d.LastAttempt.UTC().Format(timeLayout))
	}
	body, err := json.Marshal([]any{ev})
	if err != nil {
		return err
	}
	container := dl.Properties.BlobContainerName
	if err := e.cfg.Blob.CreateContainer(ctx, container); err != nil {
		return fmt.Errorf("create container %s: %w", container, err)
	}
	acct := d.Scope[strings.LastIndex(d.Scope, "/")+1:]
	name := DeadLetterName(acct, s.res.Name, d.EventID, r.At)
	return e.cfg.Blob.Write(ctx, container, name, bytes.NewReader(body), int64(len(body)), "application/json")
}
