package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/lockstream/lockstream/internal/store"
)

// Versions every Microsoft.Media event carries (and Lockstream's own).
const (
	DataVersion     = "1.0"
	MetadataVersion = "1"
)

// Account names the media services account an event belongs to; its ARM
// id is the event's topic (CloudEvents source).
type Account struct {
	Subscription  string
	ResourceGroup string
	Name          string
}

// ID is the account's ARM id, the topic of its events, in the casing AMS
// uses in events ("…/providers/Microsoft.Media/mediaservices/{name}").
func (a Account) ID() string {
	return "/subscriptions/" + a.Subscription + "/resourceGroups/" + a.ResourceGroup + "/providers/Microsoft.Media/mediaservices/" + a.Name
}

// Scope is the lower-cased store scope of the account's children, which
// is also where its event subscriptions live.
func (a Account) Scope() string { return strings.ToLower(a.ID()) }

// Event is one event in Event Grid terms. Data is any JSON-marshalable
// value (the constructors use the AMS data shapes). ID and Time may be
// left empty: Publish fills them.
type Event struct {
	ID              string
	Topic           string
	Subject         string
	Type            string
	Time            time.Time
	Data            any
	DataVersion     string
	MetadataVersion string
}

// New builds an event of any type for an account. Every constructor goes
// through it, and so can new families (live events: New(acct,
// "liveEvent/"+name, "Microsoft.Media.LiveEventEncoderConnected", data)).
func New(acct Account, subject, eventType string, data any) Event {
	return Event{Topic: acct.ID(), Subject: subject, Type: eventType, Data: data,
		DataVersion: DataVersion, MetadataVersion: MetadataVersion}
}

// gridEvent is the Event Grid schema on the wire.
type gridEvent struct {
	ID              string          `json:"id"`
	Topic           string          `json:"topic"`
	Subject         string          `json:"subject"`
	EventType       string          `json:"eventType"`
	EventTime       string          `json:"eventTime"`
	Data            json.RawMessage `json:"data"`
	DataVersion     string          `json:"dataVersion"`
	MetadataVersion string          `json:"metadataVersion"`
}

// cloudEvent is the CloudEvents 1.0 structured JSON form.
type cloudEvent struct {
	SpecVersion string          `json:"specversion"`
	ID          string          `json:"id"`
	Source      string          `json:"source"`
	Subject     string          `json:"subject"`
	Type        string          `json:"type"`
	Time        string          `json:"time"`
	Data        json.RawMessage `json:"data"`
}

// timeLayout is RFC 3339 in UTC with 100-ns precision and a Z, as Event
// Grid writes eventTime.
const timeLayout = "2006-01-02T15:04:05.0000000Z"

// prepared returns e completed (id, time) and its Event Grid JSON.
func (e Event) prepared(now time.Time) (Event, []byte, error) {
	if e.ID == "" {
		id, err := uuid.NewRandom()
		if err != nil {
			return e, nil, fmt.Errorf("event id: %w", err)
		}
		e.ID = id.String()
	}
	if e.Time.IsZero() {
		e.Time = now
	}
	e.Time = e.Time.UTC()
	if e.DataVersion == "" {
		e.DataVersion = DataVersion
	}
	if e.MetadataVersion == "" {
		e.MetadataVersion = MetadataVersion
	}
	if e.Topic == "" || e.Type == "" {
		return e, nil, errors.New("event without topic or type")
	}
	data, err := json.Marshal(e.Data)
	if err != nil {
		return e, nil, fmt.Errorf("encode data of %s: %w", e.Type, err)
	}
	b, err := json.Marshal(gridEvent{ID: e.ID, Topic: e.Topic, Subject: e.Subject, EventType: e.Type,
		EventTime: e.Time.Format(timeLayout), Data: data, DataVersion: e.DataVersion, MetadataVersion: e.MetadataVersion})
	if err != nil {
		return e, nil, fmt.Errorf("encode %s: %w", e.Type, err)
	}
	return e, b, nil
}

// timeTick is eventTime's resolution on the wire (100 ns).
const timeTick = 100 * time.Nanosecond

// Publish appends events to the outbox inside the caller's store
// transaction, so an event exists iff its state change commits. Events
// without ID or Time get a random UUID and the current time; those of one
// call get times one tick apart in argument order, because delivery order
// is not promised and receivers order by eventTime (JobStateChange before
// JobScheduled, the output's events before the job's final one).
func Publish(ctx context.Context, tx store.Tx, evs ...Event) error {
	if len(evs) == 0 {
		return nil
	}
	now := time.Now().Truncate(timeTick)
	out := make([]store.OutboxEvent, 0, len(evs))
	for i, e := range evs {
		p, body, err := e.prepared(now.Add(time.Duration(i) * timeTick))
		if err != nil {
			return fmt.Errorf("events: publish: %w", err)
		}
		out = append(out, store.OutboxEvent{ID: p.ID, Scope: strings.ToLower(p.Topic), Type: p.Type,
			Subject: p.Subject, Time: p.Time, Body: body})
	}
	if err := tx.AppendOutbox(ctx, out); err != nil {
		return fmt.Errorf("events: publish: %w", err)
	}
	return nil
}

// toCloudEvent converts a stored Event Grid body to CloudEvents 1.0.
func toCloudEvent(body []byte) ([]byte, error) {
	var g gridEvent
	if err := json.Unmarshal(body, &g); err != nil {
		return nil, fmt.Errorf("decode stored event: %w", err)
	}
	return json.Marshal(cloudEvent{SpecVersion: "1.0", ID: g.ID, Source: g.Topic, Subject: g.Subject,
		Type: g.EventType, Time: g.EventTime, Data: g.Data})
}
