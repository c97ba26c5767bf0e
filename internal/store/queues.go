package store

import "time"

// QueueStats summarises the event queues for monitoring: the outbox not
// yet fanned out and the deliveries not yet made.
type QueueStats struct {
	OutboxPending int64
	OldestOutbox  time.Time // zero when the outbox is empty
	// DeliveriesPending counts deliveries still to be sent (due or
	// retrying later); DeliveriesDead the dead-lettered ones.
	DeliveriesPending, DeliveriesDead int64
	OldestDue                         time.Time // earliest due pending delivery; zero when none
}
