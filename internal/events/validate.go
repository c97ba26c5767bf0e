package events

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/store"
)

// ValidatePath is where validationUrl points (on the API listener, without
// management authentication: the unguessable code is the credential).
const ValidatePath = "/eventgrid/validate"

// TypeSubscriptionValidation is the validation event's type.
const TypeSubscriptionValidation = "Microsoft.EventGrid.SubscriptionValidationEvent"

// pendingStates are the states a handshake may complete.
var pendingStates = []string{defs.SubscriptionCreating, defs.SubscriptionUpdating, defs.SubscriptionAwaitingManualAction}

// Validate starts the validation handshake of a subscription just created
// or whose endpoint changed (the API calls it after the commit). It
// returns at once; the outcome is the subscription's provisioningState.
func (e *Engine) Validate(scope, name string) {
	if e.ctx == nil {
		return
	}
	// Until the handshake has recorded its code, the sweep must not start
	// another one for the same subscription.
	k := scope + "|" + strings.ToLower(name)
	e.hsMu.Lock()
	e.starting[k]++
	e.hsMu.Unlock()
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer func() {
			e.hsMu.Lock()
			if e.starting[k]--; e.starting[k] <= 0 {
				delete(e.starting, k)
			}
			e.hsMu.Unlock()
		}()
		if err := e.handshake(e.ctx, scope, name); err != nil && e.ctx.Err() == nil {
			e.log.Warn("events: subscription validation failed", "subscription", name, "err", redact(err))
		}
	}()
}

func subscriptionARMID(s *subscription) string {
	return s.props.Topic + "/providers/Microsoft.EventGrid/eventSubscriptions/" + s.res.Name
}

// firstHandshake records that this engine starts the handshake of one
// validation code, and reports whether it had not before.
func (e *Engine) firstHandshake(scope, name, code string) bool {
	e.hsMu.Lock()
	defer e.hsMu.Unlock()
	k := scope + "|" + strings.ToLower(name) + "|" + code
	if e.handshakes[k] {
		return false
	}
	e.handshakes[k] = true
	return true
}

// sweepMayStart reports whether the sweep may start the handshake of a
// subscription's code: not while a handshake for it is starting on this
// engine, nor when one already ran here.
func (e *Engine) sweepMayStart(scope, name, code string) bool {
	e.hsMu.Lock()
	busy := e.starting[scope+"|"+strings.ToLower(name)] > 0
	e.hsMu.Unlock()
	return !busy && e.firstHandshake(scope, name, code)
}

func (e *Engine) handshake(ctx context.Context, scope, name string) error {
	s, err := e.loadSubscription(ctx, e.cfg.Store, scope, name)
	if err != nil {
		return err
	}
	if !slices.Contains(pendingStates, s.props.ProvisioningState) {
		return nil
	}
	if err := e.open(s); err != nil {
		return err
	}
	code := s.secret.ValidationCode
	e.firstHandshake(scope, name, code) // the sweep need not start it again
	var state string
	for attempt := 0; attempt < 2; attempt++ {
		if attempt > 0 {
			t := time.NewTimer(e.cfg.ValidationRetry)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		}
		if s.cloudEvents() {
			state, err = e.optionsHandshake(ctx, s)
		} else {
			state, err = e.validationEvent(ctx, s, code)
		}
		if err == nil {
			break
		}
	}
	if err != nil {
		state = defs.SubscriptionFailed
	}
	if _, serr := e.setState(ctx, scope, name, code, pendingStates, state); serr != nil {
		return errors.Join(err, serr)
	}
	if state == defs.SubscriptionSucceeded {
		e.log.Info("events: subscription validated", "subscription", name, "endpoint", s.baseURL())
	}
	return err
}

// validationEvent posts the SubscriptionValidationEvent and reads the
// synchronous answer: 200 with the code → Succeeded; 200 without it →
// AwaitingManualAction (the receiver GETs validationUrl); anything else
// is an error.
func (e *Engine) validationEvent(ctx context.Context, s *subscription, code string) (string, error) {
	exp := time.Now().Add(e.cfg.ValidationWindow)
	if st := s.props.LockstreamStatus; st != nil && st.ValidationExpiresAt != nil {
		exp = st.ValidationExpiresAt.Time
	}
	vurl := strings.TrimRight(e.cfg.PublicURL, "/") + ValidatePath + "?" + url.Values{
		"id": {code}, "resource": {subscriptionARMID(s)}, "t": {exp.UTC().Format(time.RFC3339)},
	}.Encode()
	id, err := uuid.NewRandom()
	if err != nil {
		return "", err
	}
	data, _ := json.Marshal(map[string]string{"validationCode": code, "validationUrl": vurl})
	ev, _ := json.Marshal([]gridEvent{{ID: id.String(), Topic: s.props.Topic, Subject: "", EventType: TypeSubscriptionValidation,
		EventTime: e.now().Format(timeLayout), Data: data, DataVersion: "1", MetadataVersion: MetadataVersion}})
	rctx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, s.secret.EndpointURL, bytes.NewReader(ev))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("aeg-event-type", "SubscriptionValidation")
	req.Header.Set("aeg-subscription-name", strings.ToUpper(s.res.Name))
	req.Header.Set("aeg-delivery-count", "0")
	req.Header.Set("aeg-metadata-version", MetadataVersion)
	req.Header.Set("aeg-data-version", "1")
	if err := e.authorize(rctx, s, req.Header); err != nil {
		return "", err
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", fmt.Errorf("read validation response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("validation answered %d (want 200)", resp.StatusCode)
	}
	var answer struct {
		ValidationResponse string `json:"validationResponse"`
	}
	if json.Unmarshal(body, &answer) == nil && answer.ValidationResponse != "" {
		if subtle.ConstantTimeCompare([]byte(strings.ToLower(answer.ValidationResponse)), []byte(strings.ToLower(code))) == 1 {
			return defs.SubscriptionSucceeded, nil
		}
		return "", errors.New("validation answered a wrong validationResponse")
	}
	return defs.SubscriptionAwaitingManualAction, nil
}

// optionsHandshake is CloudEvents' abuse protection (HTTP webhook spec
// §4): consent is WebHook-Allowed-Origin naming our origin or "*".
func (e *Engine) optionsHandshake(ctx context.Context, s *subscription) (string, error) {
	rctx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodOptions, s.secret.EndpointURL, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("WebHook-Request-Origin", e.cfg.RequestOrigin)
	if err := e.authorize(rctx, s, req.Header); err != nil {
		return "", err
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return "", err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	allowed := resp.Header.Get("WebHook-Allowed-Origin")
	if allowed == "*" || strings.EqualFold(allowed, e.cfg.RequestOrigin) {
		return defs.SubscriptionSucceeded, nil
	}
	return "", fmt.Errorf("abuse-protection handshake: status %d without WebHook-Allowed-Origin consent", resp.StatusCode)
}

// setState moves a subscription from one of from to to, if its
// validation code is still code (a newer PUT restarts validation with a
// new code). It reports whether it changed anything.
func (e *Engine) setState(ctx context.Context, scope, name, code string, from []string, to string) (bool, error) {
	changed := false
	err := e.cfg.Store.WithTx(ctx, func(tx store.Tx) error {
		changed = false
		s, err := e.loadSubscription(ctx, tx, scope, name)
		if err != nil {
			return err
		}
		if !slices.Contains(from, s.props.ProvisioningState) {
			return nil
		}
		if err := e.open(s); err != nil {
			return err
		}
		if subtle.ConstantTimeCompare([]byte(s.secret.ValidationCode), []byte(code)) != 1 {
			return nil
		}
		s.props.ProvisioningState = to
		if to == defs.SubscriptionSucceeded {
			// Compared with events' publication times, which Publish
			// takes from the wall clock in timeTick steps (so an event
			// published just after this never reads as before it).
			if s.props.LockstreamStatus == nil {
				s.props.LockstreamStatus = &defs.EventSubscriptionStatus{}
			}
			s.props.LockstreamStatus.ActiveSince = defs.NewTime(time.Now().Truncate(timeTick))
		}
		doc, err := json.Marshal(s.props)
		if err != nil {
			return err
		}
		r := *s.res
		r.Doc = doc
		r.Modified = e.now()
		changed = true
		return tx.Replace(ctx, &r, s.refs())
	})
	return changed, err
}

// refs keeps a subscription's references (none today) on Replace.
func (s *subscription) refs() []store.Ref { return nil }

// ValidationHandler serves GET ValidatePath: manual validation by the
// receiver within the window.
func (e *Engine) ValidationHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", http.MethodGet)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		q := r.URL.Query()
		code, resource := q.Get("id"), q.Get("resource")
		const marker = "/providers/microsoft.eventgrid/eventsubscriptions/"
		lr := strings.ToLower(resource)
		i := strings.LastIndex(lr, marker)
		if code == "" || i < 0 || strings.Contains(resource[i+len(marker):], "/") {
			http.Error(w, "invalid validation request", http.StatusBadRequest)
			return
		}
		scope, name := lr[:i], resource[i+len(marker):]
		s, err := e.loadSubscription(r.Context(), e.cfg.Store, scope, name)
		if err == nil {
			if st := s.props.LockstreamStatus; st != nil && st.ValidationExpiresAt != nil && e.now().After(st.ValidationExpiresAt.Time) {
				err = errors.New("validation window over")
			}
		}
		changed := false
		if err == nil {
			changed, err = e.setState(r.Context(), scope, name, code, pendingStates, defs.SubscriptionSucceeded)
		}
		if err != nil || !changed {
			// One answer for unknown, expired and wrong: nothing to probe.
			http.Error(w, "validation failed: unknown subscription, wrong code or window over", http.StatusBadRequest)
			return
		}
		e.log.Info("events: subscription validated manually", "subscription", name)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "Webhook successfully validated as a result of user's validate action.\n")
	})
}

// sweepValidations fails subscriptions whose validation window is over,
// and starts the handshake of pending subscriptions this engine has not
// handled (created while no engine ran, by the CLI, or whose handshake
// died with its node).
func (e *Engine) sweepValidations(ctx context.Context) error {
	rs, err := e.cfg.Store.List(ctx, store.ListQuery{Kind: store.KindEventSubscription, Scope: "/subscriptions", ScopePrefix: true})
	if err != nil {
		return err
	}
	now := e.now()
	for _, res := range rs {
		s, err := decodeSubscription(res)
		if err != nil || !slices.Contains(pendingStates, s.props.ProvisioningState) {
			continue
		}
		st := s.props.LockstreamStatus
		if st == nil || st.ValidationExpiresAt == nil {
			continue
		}
		if err := e.open(s); err != nil {
			return err
		}
		if now.Before(st.ValidationExpiresAt.Time) {
			if s.props.ProvisioningState != defs.SubscriptionAwaitingManualAction && e.sweepMayStart(res.Scope, res.Name, s.secret.ValidationCode) {
				e.Validate(res.Scope, res.Name)
			}
			continue
		}
		if _, err := e.setState(ctx, res.Scope, res.Name, s.secret.ValidationCode, pendingStates, defs.SubscriptionFailed); err != nil {
			return err
		}
		e.log.Warn("events: subscription validation window over", "subscription", res.Name)
	}
	return nil
}
