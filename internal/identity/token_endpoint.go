package identity

import (
	"fmt"
	"net/http"

	"github.com/lockstream/lockstream/internal/lockout"
)

// serveToken is the client-credentials token endpoint (v1 or v2 shape).
// Every outcome is audited; failed client authentication is counted,
// delayed and eventually locked out per client id.
func (s *Service) serveToken(rq *request, v1 bool) {
	if rq.r.Method != http.MethodPost {
		s.failToken(rq, "", errMethod())
		return
	}
	form, e := readForm(rq)
	if e != nil {
		s.failToken(rq, "", e)
		return
	}
	switch g := form.Get("grant_type"); g {
	case "client_credentials":
	case "":
		s.failToken(rq, form.Get("client_id"), errMissing("grant_type"))
		return
	default:
		s.failToken(rq, form.Get("client_id"), errGrant(fmt.Sprintf("grant_type %.40q", g)))
		return
	}
	// The claims parameter (CAE's xms_cc capability) is accepted and
	// ignored: tokens are never revoked by claims challenges here.
	if v1 {
		e = s.checkResource(form.Get("resource"))
	} else {
		e = s.audienceFromScope(form.Get("scope"))
	}
	if e != nil {
		s.failToken(rq, form.Get("client_id"), e)
		return
	}
	cc, e := clientAuth(rq, form)
	if e != nil {
		s.failToken(rq, cc.id, e)
		return
	}
	ctx := rq.r.Context()
	source := lockout.Source(rq.r)
	lock, err := s.lock.Check(ctx, cc.id, source, rq.now)
	if err != nil {
		s.internalError(rq, cc.id, err)
		return
	} else if lock.Locked {
		s.failToken(rq, cc.id, errLocked())
		return
	}
	var (
		pr     *principalRecord
		reason string
		acr    = "1"
	)
	if cc.assertion != "" {
		acr = "2"
		pr, reason, err = s.checkAssertion(ctx, cc.id, cc.assertion, rq.tokenEndpoints(), rq.now)
	} else {
		pr, reason, err = s.checkSecret(ctx, cc.id, cc.secret, rq.now)
	}
	if err != nil {
		s.internalError(rq, cc.id, err)
		return
	}
	if pr == nil {
		s.authFailed(rq, cc, reason, source, lock)
		return
	}
	if err := s.lock.Success(ctx, cc.id, source, rq.now); err != nil {
		s.cfg.Log.Error("reset lockout failed", "client", cc.id, "err", err)
	}
	roles, err := s.listRoles(ctx, pr.p.ClientID)
	if err != nil {
		s.internalError(rq, cc.id, err)
		return
	}
	t, err := s.issueToken(rq, pr, roles, acr)
	if err != nil {
		s.internalError(rq, cc.id, err)
		return
	}
	s.auditToken(rq, pr.p.ClientID, nil, "kid "+t.kid)
	s.writeToken(rq, t, v1)
}

// authFailed counts a failed client authentication, waits the throttling
// delay and answers. An unknown client and a wrong secret (or a bad
// assertion) produce the same error.
func (s *Service) authFailed(rq *request, cc clientCreds, reason, source string, lock lockout.State) {
	ctx := rq.r.Context()
	e := errBadSecret(reason)
	if cc.assertion != "" {
		e = errBadAssertion(reason)
	}
	delay, locked, err := s.lock.Failure(ctx, cc.id, source, lock, rq.now)
	if err != nil {
		s.cfg.Log.Error("record authentication failure", "client", cc.id, "err", err)
	}
	if locked {
		e.reason += "; client id now locked for this source"
	}
	// Wait before answering so that a client cannot see the failure
	// sooner; an error only means the client went away.
	_ = s.cfg.Sleep(ctx, delay)
	s.failToken(rq, cc.id, e)
}

func (s *Service) internalError(rq *request, clientID string, err error) {
	s.cfg.Log.Error("token request failed", "client", clientID, "err", err)
	s.failToken(rq, clientID, errServer())
}

// failToken audits a failed token request and writes the error.
func (s *Service) failToken(rq *request, clientID string, e *aadError) {
	s.auditToken(rq, clientID, e)
	rq.writeError(e)
}

// auditToken records a token request outcome. detail names the AADSTS code
// and the internal reason; never a credential.
func (s *Service) auditToken(rq *request, clientID string, e *aadError, extra ...string) {
	ev := Event{Time: rq.now, Principal: clientID, Action: "token/issue", Resource: s.cfg.Audience,
		Outcome: OutcomeSuccess, Status: http.StatusOK, RequestID: rq.traceID}
	if e != nil {
		ev.Outcome, ev.Status = OutcomeFailure, e.status
		ev.Detail = fmt.Sprintf("AADSTS%d %s", e.aadsts, e.reason)
	}
	if len(extra) > 0 {
		ev.Detail = extra[0]
	}
	if err := s.Audit(rq.r.Context(), ev); err != nil {
		s.cfg.Log.Error("audit failed", "action", ev.Action, "err", err)
	}
}
