package identity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/httpx"
	"github.com/lockstream/lockstream/internal/store"
)

// Audit outcomes.
const (
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
)

// Event is one audit record. Never put a secret, hash or token in it:
// fields are stored and logged as given (after length capping).
type Event struct {
	Time      time.Time `json:"time"`
	Principal string    `json:"principal"` // client id of the caller, as claimed for failures
	Action    string    `json:"action"`    // e.g. "token/issue", "assets/write"
	Resource  string    `json:"resource"`  // ARM path or identity object acted on
	Outcome   string    `json:"outcome"`   // OutcomeSuccess or OutcomeFailure
	Status    int       `json:"status,omitempty"`
	RequestID string    `json:"requestId,omitempty"`
	// Detail is a short reason code for failures (e.g. "AADSTS7000215
	// wrong secret"); never a credential.
	Detail string `json:"detail,omitempty"`
}

// maxAuditField caps every text field: principal and resource may come
// from attacker input.
const maxAuditField = 512

func clean(s string) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
	if len(s) > maxAuditField {
		s = strings.ToValidUTF8(s[:maxAuditField], "")
	}
	return s
}

// Audit persists e in the store and logs it. A zero Time means now; an
// empty RequestID is taken from ctx (httpx.RequestID). Persisting is
// best-effort for callers that must not fail because the audit log did:
// they log the returned error and carry on.
func (s *Service) Audit(ctx context.Context, e Event) error {
	if e.Time.IsZero() {
		e.Time = s.now()
	}
	e.Time = e.Time.UTC()
	if e.RequestID == "" {
		e.RequestID = httpx.ID(ctx)
	}
	e.Principal, e.Action, e.Resource = clean(e.Principal), clean(e.Action), clean(e.Resource)
	e.Outcome, e.RequestID, e.Detail = clean(e.Outcome), clean(e.RequestID), clean(e.Detail)
	level := s.cfg.Log.Info
	if e.Outcome == OutcomeFailure {
		level = s.cfg.Log.Warn
	}
	level("audit", "principal", e.Principal, "action", e.Action, "resource", e.Resource,
		"outcome", e.Outcome, "status", e.Status, "requestId", e.RequestID, "detail", e.Detail)
	doc, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("identity: encode audit event: %w", err)
	}
	suffix, err := s.randHex(6)
	if err != nil {
		return err
	}
	// Listings order by time, then name: the node-local counter keeps one
	// node's same-instant events in order, the random suffix keeps nodes
	// apart.
	name := fmt.Sprintf("%s-%012x-%s", e.Time.Format("20060102T150405.000000000Z"), s.auditSeq.Add(1), suffix)
	res := &store.Resource{Kind: KindAuditEvent, Scope: s.cfg.Scope, Name: name, Created: e.Time, Modified: e.Time, Doc: doc}
	if err := s.cfg.Store.WithTx(ctx, func(tx store.Tx) error { return tx.Create(ctx, res, nil) }); err != nil {
		return fmt.Errorf("identity: store audit event: %w", err)
	}
	return nil
}

// ListAudit returns up to limit events (default and maximum 1000) at or
// after since, oldest first.
func (s *Service) ListAudit(ctx context.Context, since time.Time, limit int) ([]Event, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	rs, err := s.cfg.Store.List(ctx, store.ListQuery{
		Kind: KindAuditEvent, Scope: s.cfg.Scope,
		Filter:  &store.Cond{Field: store.Field{Col: store.ColCreated, Type: store.TypeTime}, Op: store.OpGe, Value: store.FormatTime(since)},
		OrderBy: &store.Field{Col: store.ColCreated, Type: store.TypeTime},
		Limit:   limit,
	})
	if err != nil {
		return nil, fmt.Errorf("identity: list audit: %w", err)
	}
	out := make([]Event, 0, len(rs))
	for _, r := range rs {
		var e Event
		if err := json.Unmarshal(r.Doc, &e); err != nil {
			return nil, fmt.Errorf("identity: decode audit event %s: %w", r.Name, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// gcAudit deletes a batch of events older than the retention.
func (s *Service) gcAudit(ctx context.Context, now time.Time) error {
	rs, err := s.cfg.Store.List(ctx, store.ListQuery{
		Kind: KindAuditEvent, Scope: s.cfg.Scope,
		Filter:  &store.Cond{Field: store.Field{Col: store.ColCreated, Type: store.TypeTime}, Op: store.OpLt, Value: store.FormatTime(now.Add(-s.cfg.AuditRetention))},
		OrderBy: &store.Field{Col: store.ColCreated, Type: store.TypeTime},
		Limit:   gcBatch,
	})
	if err != nil {
		return fmt.Errorf("identity: gc audit: %w", err)
	}
	return s.deleteAll(ctx, rs)
}

// auditMgmt records a management operation on identity objects, attributed
// to the principal in ctx (auth.WithPrincipal) or "system".
func (s *Service) auditMgmt(ctx context.Context, action, resource string, err error) {
	who := "system"
	if p, ok := auth.FromContext(ctx); ok {
		who = p.ID
	}
	e := Event{Principal: who, Action: action, Resource: resource, Outcome: OutcomeSuccess}
	if err != nil {
		e.Outcome, e.Detail = OutcomeFailure, errorClass(err)
	}
	if aerr := s.Audit(ctx, e); aerr != nil {
		s.cfg.Log.Error("audit failed", "action", action, "err", aerr)
	}
}

// errorClass names an error for the audit log without its full text.
func errorClass(err error) string {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "not found"
	case errors.Is(err, store.ErrConflict):
		return "conflict"
	case errors.Is(err, store.ErrInvalid):
		return "invalid"
	}
	return "error"
}
