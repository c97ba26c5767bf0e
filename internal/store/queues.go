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

// JobQueueStats summarises the encoding job queue for monitoring, as of
// a given time: jobs waiting for a node (never leased, or their lease has
// run out), jobs a node holds a live lease on, and jobs with a cancel
// request the running node has not acted on yet.
type JobQueueStats struct {
	Queued, Leased, Canceling int64
	OldestQueued              time.Time // creation of the oldest queued job; zero when none
}
