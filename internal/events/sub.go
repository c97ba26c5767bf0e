package events

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/store"
)

// subscription is a stored event subscription, decoded.
type subscription struct {
	res    *store.Resource
	props  defs.EventSubscriptionProperties
	secret *defs.EventSubscriptionSecret // nil until opened
}

func decodeSubscription(res *store.Resource) (*subscription, error) {
	s := &subscription{res: res}
	if err := json.Unmarshal(res.Doc, &s.props); err != nil {
		return nil, fmt.Errorf("decode event subscription %q: %w", res.Name, err)
	}
	if s.props.Destination == nil || s.props.Destination.Properties == nil {
		return nil, fmt.Errorf("event subscription %q has no destination", res.Name)
	}
	return s, nil
}

// open unseals the endpoint URL and secret headers.
func (e *Engine) open(s *subscription) error {
	if s.secret != nil {
		return nil
	}
	if s.res.Secret == nil {
		return fmt.Errorf("event subscription %q has no sealed endpoint", s.res.Name)
	}
	pt, err := e.cfg.Sealer.Open(s.res.Secret, []byte(store.ResourceAAD(s.res.Kind, s.res.Scope, s.res.Name)))
	if err != nil {
		return fmt.Errorf("open event subscription %q: %w", s.res.Name, err)
	}
	var sec defs.EventSubscriptionSecret
	if err := json.Unmarshal(pt, &sec); err != nil {
		return fmt.Errorf("decode event subscription %q secret: %w", s.res.Name, err)
	}
	s.secret = &sec
	return nil
}

func (e *Engine) loadSubscription(ctx context.Context, r store.Reader, scope, name string) (*subscription, error) {
	res, err := r.Get(ctx, store.Key{Kind: store.KindEventSubscription, Scope: scope, Name: name})
	if err != nil {
		return nil, err
	}
	return decodeSubscription(res)
}

func (s *subscription) active(now time.Time) bool {
	if s.props.ProvisioningState != defs.SubscriptionSucceeded {
		return false
	}
	return s.props.ExpirationTimeUtc == nil || now.Before(s.props.ExpirationTimeUtc.Time)
}

// publishedBefore reports whether an event published at t predates the
// subscription's validation: the fan-out may run after the validation
// even for an event published while the subscription still awaited it,
// and such an event is not the subscription's.
func (s *subscription) publishedBefore(t time.Time) bool {
	st := s.props.LockstreamStatus
	return st != nil && st.ActiveSince != nil && t.Before(st.ActiveSince.Time)
}

func (s *subscription) cloudEvents() bool {
	return s.props.EventDeliverySchema == defs.SchemaCloudEvents
}

func (s *subscription) maxAttempts() int {
	if r := s.props.RetryPolicy; r != nil && r.MaxDeliveryAttempts != nil {
		return int(*r.MaxDeliveryAttempts)
	}
	return defs.DefaultMaxDeliveryAttempts
}

func (s *subscription) ttl() time.Duration {
	if r := s.props.RetryPolicy; r != nil && r.EventTimeToLiveInMinutes != nil {
		return time.Duration(*r.EventTimeToLiveInMinutes) * time.Minute
	}
	return defs.DefaultEventTTLMinutes * time.Minute
}

func (s *subscription) maxBatch() int {
	if v := s.props.Destination.Properties.MaxEventsPerBatch; v != nil {
		return int(*v)
	}
	return defs.DefaultMaxEventsPerBatch
}

func (s *subscription) preferredBytes() int {
	if v := s.props.Destination.Properties.PreferredBatchSizeInKilobytes; v != nil {
		return int(*v) * 1024
	}
	return defs.DefaultPreferredBatchSizeKiB * 1024
}

// baseURL is what logs and dead-letter records may show.
func (s *subscription) baseURL() string { return s.props.Destination.Properties.EndpointBaseURL }
