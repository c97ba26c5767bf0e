package store

import (
	"context"
	"time"
)

// KindEventSubscription is the Event Grid event subscription on an account
// (an ARM extension resource: …/mediaservices/{a}/providers/
// Microsoft.EventGrid/eventSubscriptions/{name}); its scope is the
// account's path.
const KindEventSubscription Kind = "eventSubscriptions"

// OutboxEvent is one event appended to the outbox in the transaction of
// the state change that caused it.
type OutboxEvent struct {
	// Seq is assigned by the store (insertion order).
	Seq     int64
	ID      string // event id (unique)
	Scope   string // lower-cased account path the event belongs to
	Type    string // eventType
	Subject string
	Time    time.Time
	// Body is the event's JSON in the Event Grid schema.
	Body []byte
}

// Delivery is one event on its way to one subscription.
type Delivery struct {
	Seq          int64
	Scope        string // account path of the subscription
	Subscription string // subscription name key (lower case)
	EventID      string
	EventType    string
	Body         []byte
	Published    time.Time // when the event was written
	Due          time.Time // not sent before this
	Attempts     int       // attempts made so far
	Dead         bool      // dead-lettered (kept for replay)
	LeaseOwner   string
	LeaseUntil   time.Time
	LastAttempt  time.Time
	LastStatus   int    // HTTP status of the last attempt (0: none)
	LastOutcome  string // e.g. "Busy", "TimedOut", "NotFound"
	DeadReason   string // e.g. "MaxDeliveryAttemptsExceeded"
}

// Settlement is what a worker decided about one leased delivery.
type Settlement int

// Settlements.
const (
	// Delivered removes the delivery.
	Delivered Settlement = iota
	// Retry makes the delivery due again at Due.
	Retry
	// DeadLetter marks it dead-lettered (after its blob was written).
	DeadLetter
	// Drop removes it without counting (its subscription is gone).
	Drop
)

// DeliveryResult settles one leased delivery.
type DeliveryResult struct {
	Seq     int64
	Settle  Settlement
	Attempt bool // an HTTP attempt was made (counted in Attempts)
	At      time.Time
	Due     time.Time // for Retry
	Status  int
	Outcome string
	Reason  string // dead-letter reason
}

// DeliveryStats summarises one subscription's deliveries.
type DeliveryStats struct {
	Pending           int64
	DeadLettered      int64 // dead-lettered deliveries still kept
	OldestPending     time.Time
	Delivered         int64 // events delivered since creation
	FailedAttempts    int64
	DeadLetteredTotal int64
	LastDelivered     time.Time
	LastFailure       time.Time
	LastFailureReason string
}

// EventTx is the outbox and fan-out half of Tx.
type EventTx interface {
	// AppendOutbox stores evs in the outbox (assigning Seq).
	AppendOutbox(ctx context.Context, evs []OutboxEvent) error
	// PendingOutbox returns at most limit outbox events in Seq order.
	PendingOutbox(ctx context.Context, limit int) ([]OutboxEvent, error)
	// FanOut inserts deliveries (a delivery of an event already queued for
	// the same subscription is ignored) and removes the outbox events
	// whose Seq is in done.
	FanOut(ctx context.Context, done []int64, ds []Delivery) error
	// ReplayDeliveries makes a subscription's dead-lettered deliveries
	// pending again, due at due, with no attempts; it returns how many.
	ReplayDeliveries(ctx context.Context, scope, subscription string, due time.Time) (int64, error)
	// DeleteDeliveries removes a subscription's deliveries and counters.
	DeleteDeliveries(ctx context.Context, scope, subscription string) error
}

// DeliveryQueue is the worker half, used outside transactions.
type DeliveryQueue interface {
	// LeaseDeliveries claims at most limit pending deliveries due at now
	// whose lease has ended, for owner until until, and returns them.
	// Concurrent callers (other nodes) never get the same row while its
	// lease lasts.
	LeaseDeliveries(ctx context.Context, owner string, now, until time.Time, limit int) ([]Delivery, error)
	// SettleDeliveries applies results to deliveries still leased by
	// owner and updates the subscription counters; it returns how many
	// applied (a lost lease is skipped).
	SettleDeliveries(ctx context.Context, owner string, rs []DeliveryResult) (int, error)
	// DeliveryStats summarises a subscription's deliveries.
	DeliveryStats(ctx context.Context, scope, subscription string) (DeliveryStats, error)
}
