package events

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lockstream/lockstream/internal/store"
)

// Dead-letter reasons. The first two are Event Grid's; the last two are
// Lockstream's names for its other cases.
const (
	ReasonMaxAttempts = "MaxDeliveryAttemptsExceeded"
	ReasonTTL         = "TimeToLiveExceeded"
	// ReasonPermanent: the endpoint answered 400, 401, 403 or 413, which
	// Event Grid never retries.
	ReasonPermanent = "PermanentDeliveryFailure"
)

// deliverRound leases due deliveries while this engine has capacity and
// starts their batches; it does not wait for them.
func (e *Engine) deliverRound(ctx context.Context, wg *sync.WaitGroup) {
	for ctx.Err() == nil && e.pending.Load() < int64(2*e.cfg.Workers) {
		now := e.now()
		ds, err := e.cfg.Store.LeaseDeliveries(ctx, e.cfg.Node, now, now.Add(e.cfg.Lease), e.cfg.LeaseBatch)
		if err != nil {
			if ctx.Err() == nil {
				e.log.Error("events: lease deliveries", "err", err)
			}
			return
		}
		if len(ds) == 0 {
			return
		}
		groups := map[[2]string][]store.Delivery{}
		var order [][2]string
		for _, d := range ds {
			k := [2]string{d.Scope, d.Subscription}
			if _, ok := groups[k]; !ok {
				order = append(order, k)
			}
			groups[k] = append(groups[k], d)
		}
		for _, k := range order {
			e.startGroup(ctx, wg, k[0], k[1], groups[k])
		}
		if len(ds) < e.cfg.LeaseBatch {
			return
		}
	}
}

// startGroup settles what needs no request (gone subscription, TTL or
// attempts used up) and starts one goroutine per batch for the rest.
func (e *Engine) startGroup(ctx context.Context, wg *sync.WaitGroup, scope, name string, ds []store.Delivery) {
	now := e.now()
	s, err := e.loadSubscription(ctx, e.cfg.Store, scope, name)
	if errors.Is(err, store.ErrNotFound) {
		rs := make([]store.DeliveryResult, len(ds))
		for i, d := range ds {
			rs[i] = store.DeliveryResult{Seq: d.Seq, Settle: store.Drop, At: now}
		}
		e.settle(ctx, rs)
		return
	}
	if err == nil {
		err = e.open(s)
	}
	if err != nil {
		// Leave the leases to run out: another try later, maybe elsewhere.
		e.log.Error("events: load subscription", "subscription", name, "err", err)
		return
	}
	var send []store.Delivery
	var rs []store.DeliveryResult
	for _, d := range ds {
		switch {
		case now.Sub(d.Published) >= s.ttl():
			rs = append(rs, e.deadLetter(ctx, s, d, store.DeliveryResult{Reason: ReasonTTL, Status: d.LastStatus, Outcome: d.LastOutcome}, now))
		case d.Attempts >= s.maxAttempts():
			rs = append(rs, e.deadLetter(ctx, s, d, store.DeliveryResult{Reason: ReasonMaxAttempts, Status: d.LastStatus, Outcome: d.LastOutcome}, now))
		case !s.active(now):
			// Being re-validated or failed: not sent, but the clock runs.
			rs = append(rs, store.DeliveryResult{Seq: d.Seq, Settle: store.Retry, At: now,
				Due: now.Add(backoff(e.cfg.Schedule, max(d.Attempts, 1), e.cfg.Jitter)), Status: d.LastStatus, Outcome: "SubscriptionNotActive"})
		default:
			send = append(send, d)
		}
	}
	e.settle(ctx, rs)
	for _, b := range batches(send, s.maxBatch(), s.preferredBytes()) {
		e.pending.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.sendBatch(ctx, s, b)
			e.pending.Add(-1)
			// Capacity freed: look for more work now rather than at the
			// next poll.
			e.Kick()
		}()
	}
}

// batches cuts ds into batches of at most maxEvents events and, softly,
// maxBytes bytes: an event bigger than maxBytes goes alone.
func batches(ds []store.Delivery, maxEvents, maxBytes int) [][]store.Delivery {
	var out [][]store.Delivery
	var cur []store.Delivery
	size := 0
	for _, d := range ds {
		if len(cur) > 0 && (len(cur) >= maxEvents || size+len(d.Body) > maxBytes) {
			out = append(out, cur)
			cur, size = nil, 0
		}
		cur = append(cur, d)
		size += len(d.Body) + 1
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func (e *Engine) settle(ctx context.Context, rs []store.DeliveryResult) {
	if len(rs) == 0 {
		return
	}
	// Settle even while closing: the request already happened.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if _, err := e.cfg.Store.SettleDeliveries(sctx, e.cfg.Node, rs); err != nil {
		e.log.Error("events: settle deliveries", "count", len(rs), "err", err)
	}
}

// destSlot returns the semaphore of a destination host.
func (e *Engine) destSlot(host string) chan struct{} {
	e.destMu.Lock()
	defer e.destMu.Unlock()
	c, ok := e.dests[host]
	if !ok {
		c = make(chan struct{}, e.cfg.PerDestination)
		e.dests[host] = c
	}
	return c
}

func acquire(ctx context.Context, c chan struct{}) bool {
	select {
	case c <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

// sendBatch posts one batch and settles its deliveries.
func (e *Engine) sendBatch(ctx context.Context, s *subscription, b []store.Delivery) {
	host := hostOf(s.secret.EndpointURL)
	slot := e.destSlot(host)
	if !acquire(ctx, e.workers) {
		return // closing: the leases run out and the rows are re-leased
	}
	defer func() { <-e.workers }()
	if !acquire(ctx, slot) {
		return
	}
	defer func() { <-slot }()

	status, outcome, err := e.post(ctx, s, b)
	now := e.now()
	if err != nil && ctx.Err() != nil {
		return // cut short by Close: not an attempt the endpoint failed
	}
	rs := make([]store.DeliveryResult, 0, len(b))
	if err == nil && status >= 200 && status <= 204 {
		for _, d := range b {
			rs = append(rs, store.DeliveryResult{Seq: d.Seq, Settle: store.Delivered, Attempt: true, At: now, Status: status})
		}
		e.settle(ctx, rs)
		return
	}
	if err != nil {
		e.log.Warn("events: delivery failed", "subscription", s.res.Name, "endpoint", s.baseURL(), "events", len(b), "outcome", outcome, "err", redact(err))
	} else {
		e.log.Warn("events: delivery refused", "subscription", s.res.Name, "endpoint", s.baseURL(), "events", len(b), "status", status, "outcome", outcome)
	}
	for _, d := range b {
		attempts := d.Attempts + 1
		r := store.DeliveryResult{Seq: d.Seq, Attempt: true, At: now, Status: status, Outcome: outcome}
		due := now.Add(backoff(e.cfg.Schedule, attempts, e.cfg.Jitter))
		switch {
		case permanent(status):
			r.Reason = ReasonPermanent
		case attempts >= s.maxAttempts():
			r.Reason = ReasonMaxAttempts
		case due.Sub(d.Published) >= s.ttl():
			r.Reason = ReasonTTL
		}
		if r.Reason != "" {
			d.Attempts = attempts
			d.LastAttempt = now
			r = e.deadLetter(ctx, s, d, r, now)
			r.Attempt = true
		} else {
			r.Settle, r.Due = store.Retry, due
		}
		rs = append(rs, r)
	}
	e.settle(ctx, rs)
}

// permanent reports the statuses Event Grid never retries for webhooks.
func permanent(status int) bool {
	switch status {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusRequestEntityTooLarge:
		return true
	}
	return false
}

// outcomeOf names a failed attempt as Event Grid's lastDeliveryOutcome
// does.
func outcomeOf(status int, err error) string {
	if err != nil {
		var ne net.Error
		if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
			return "TimedOut"
		}
		return "GenericError"
	}
	switch {
	case status >= 200 && status <= 204:
		return "Delivered"
	case status == http.StatusBadRequest:
		return "BadRequest"
	case status == http.StatusUnauthorized, status == http.StatusForbidden:
		return "Unauthorized"
	case status == http.StatusNotFound:
		return "NotFound"
	case status == http.StatusRequestTimeout:
		return "TimedOut"
	case status == http.StatusTooManyRequests, status == http.StatusServiceUnavailable:
		return "Busy"
	case status == http.StatusRequestEntityTooLarge:
		return "RequestEntityTooLarge"
	}
	return "GenericError"
}

// body renders a batch in the subscription's schema.
func (s *subscription) body(b []store.Delivery) ([]byte, string, error) {
	if !s.cloudEvents() {
		var buf bytes.Buffer
		buf.WriteByte('[')
		for i, d := range b {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.Write(d.Body)
		}
		buf.WriteByte(']')
		return buf.Bytes(), "application/json; charset=utf-8", nil
	}
	if len(b) == 1 {
		ce, err := toCloudEvent(b[0].Body)
		return ce, "application/cloudevents+json; charset=utf-8", err
	}
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i, d := range b {
		ce, err := toCloudEvent(d.Body)
		if err != nil {
			return nil, "", err
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(ce)
	}
	buf.WriteByte(']')
	return buf.Bytes(), "application/cloudevents-batch+json; charset=utf-8", nil
}

// post sends one batch; it returns the status, or an error when no
// response came.
func (e *Engine) post(ctx context.Context, s *subscription, b []store.Delivery) (int, string, error) {
	body, ctype, err := s.body(b)
	if err != nil {
		return 0, "GenericError", err
	}
	rctx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, s.secret.EndpointURL, bytes.NewReader(body))
	if err != nil {
		return 0, "GenericError", err
	}
	h := req.Header
	h.Set("Content-Type", ctype)
	h.Set("aeg-event-type", "Notification")
	h.Set("aeg-subscription-name", strings.ToUpper(s.res.Name))
	h.Set("aeg-delivery-count", strconv.Itoa(b[0].Attempts))
	h.Set("aeg-metadata-version", MetadataVersion)
	h.Set("aeg-data-version", DataVersion)
	if len(b) == 1 {
		h.Set("aeg-output-event-id", b[0].EventID)
	}
	if err := e.addAttributes(s, b, h); err != nil {
		return 0, "GenericError", err
	}
	if err := e.authorize(rctx, s, h); err != nil {
		return 0, "Unauthorized", err
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return 0, outcomeOf(0, err), err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode, outcomeOf(resp.StatusCode, nil), nil
}

// authorize adds the Azure AD bearer token the subscription asks for.
func (e *Engine) authorize(ctx context.Context, s *subscription, h http.Header) error {
	aud := s.props.Destination.Properties.AzureActiveDirectoryApplicationIDOrURI
	if aud == "" {
		return nil
	}
	if e.cfg.Tokens == nil {
		return errors.New("subscription asks for Azure AD delivery but no token source is configured")
	}
	e.tokMu.Lock()
	t, ok := e.tokens[aud]
	e.tokMu.Unlock()
	if !ok || e.now().Add(5*time.Minute).After(t.exp) {
		tok, exp, err := e.cfg.Tokens.WebhookToken(ctx, aud)
		if err != nil {
			return fmt.Errorf("mint webhook token: %w", err)
		}
		t = cachedToken{token: tok, exp: exp}
		e.tokMu.Lock()
		e.tokens[aud] = t
		e.tokMu.Unlock()
	}
	h.Set("Authorization", "Bearer "+t.token)
	return nil
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return strings.ToLower(u.Host)
}

// redact drops URLs (with their query strings) from a client error.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
