package keydelivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/lockstream/lockstream/internal/drm/clearkey"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/license"
	"github.com/lockstream/lockstream/internal/policy"
	"github.com/lockstream/lockstream/internal/store"
)

// Licenser issues or fetches a license for a request that passed the
// token check (implemented by license.Router). It returns a
// *license.Error for refusals; other errors become 500s.
type Licenser interface {
	License(ctx context.Context, req license.Request) (license.Response, error)
}

// license hands the granted keys and the challenge to the Licenser — the
// one seam between key delivery and the license routes.
func (rq *request) license(pairs []clearkey.KeyPair, body []byte) error {
	if rq.s.Licenser == nil {
		return fromLicense(license.NotConfigured(drmName(rq.kind)))
	}
	req := license.Request{Kind: rq.kind, Account: rq.acct.path, MediaServiceID: rq.msid, Challenge: body,
		Header: rq.r.Header, Query: rq.query(), Token: rq.token, Now: rq.s.Now()}
	for _, p := range pairs {
		k, err := rq.grantedKey(p.KID)
		if err != nil {
			return err
		}
		k.Key = p.Key
		req.Keys = append(req.Keys, k)
	}
	defer func() {
		for i := range req.Keys {
			clear(req.Keys[i].Key[:])
		}
	}()
	resp, err := rq.s.Licenser.License(rq.ctx, req)
	if err != nil {
		return fromLicense(err)
	}
	for k, vs := range resp.Header {
		for _, v := range vs {
			rq.w.Header().Add(k, v)
		}
	}
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	rq.log(slog.LevelDebug, "license issued", slog.Int("status", status), slog.Int("bytes", len(resp.Body)))
	rq.w.WriteHeader(status)
	_, _ = rq.w.Write(resp.Body)
	return nil
}

// grantedKey returns the option and decision that released kid.
func (rq *request) grantedKey(kid keys.KID) (license.Key, error) {
	g, ok := rq.grants[kid]
	if rq.oneSet && rq.oneKID == kid {
		g, ok = rq.one, true
	}
	if !ok {
		return license.Key{}, fmt.Errorf("key %s granted without a recorded decision", kid)
	}
	pol, err := rq.s.policy(rq.ctx, rq.acct.path, g.ck.PolicyName)
	if err != nil {
		return license.Key{}, err
	}
	if g.d.Index < 0 || g.d.Index >= len(pol.Options) {
		return license.Key{}, fmt.Errorf("policy %q has no option %d", g.ck.PolicyName, g.d.Index)
	}
	return license.Key{KID: kid, Option: &pol.Options[g.d.Index], Decision: g.d,
		PolicyName: g.ck.PolicyName, LocatorName: g.ck.LocatorName}, nil
}

// fromLicense maps a license route's refusal to key delivery's answer.
func fromLicense(err error) error {
	var le *license.Error
	if !errors.As(err, &le) {
		return err
	}
	return &httpError{Status: le.Status, Code: le.Code, Public: le.Public, Reason: le.Reason, Err: le.Err}
}

// grant is a released key: the content key row and the decision.
type grant struct {
	ck *store.ContentKey
	d  policy.Decision
}
