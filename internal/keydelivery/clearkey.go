package keydelivery

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/lockstream/lockstream/internal/drm/clearkey"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/policy"
)

// serveClearKey answers a W3C Clear Key license request with a JWK set of
// exactly the requested keys the caller is entitled to. A CDM asks for
// every key id of the presentation while a viewer may be entitled to some
// (say, SD but not HD tracks); it then plays what it got.
func (rq *request) serveClearKey() error {
	rq.kind = policy.KindClearKey
	if err := rq.begin(http.MethodPost); err != nil {
		return err
	}
	body, err := rq.readBody()
	if err != nil {
		return err
	}
	// The body was JSON, not a form; the token is in the header or query.
	rq.r.Body = http.NoBody
	kids, typ, err := clearkey.ParseRequest(body)
	if err != nil {
		if errors.Is(err, clearkey.ErrTooLarge) {
			return errTooLarge()
		}
		return &httpError{Status: http.StatusBadRequest, Code: codeBadRequest,
			Public: `The body is not a Clear Key license request ({"kids":[…],"type":…}).`, Reason: "parse license request", Err: err}
	}
	rq.kids = kids
	if err = rq.readToken(); err != nil {
		return err
	}
	pairs, err := rq.entitled(kids, true)
	if err != nil {
		return err
	}
	defer func() {
		for i := range pairs {
			clear(pairs[i].Key[:])
		}
	}()
	rq.w.Header().Set("Content-Type", "application/json")
	rq.w.WriteHeader(http.StatusOK)
	_, _ = rq.w.Write(clearkey.Response(pairs, typ))
	return nil
}

// entitled authorizes each kid and returns those granted (with their
// values when open is set). When none is granted the error is the most
// specific refusal; 404 only when no kid is known at all. Refusals of
// single kids in a partly granted request are logged, not answered.
func (rq *request) entitled(kids []keys.KID, open bool) ([]clearkey.KeyPair, error) {
	var (
		pairs []clearkey.KeyPair
		best  error
	)
	for _, kid := range kids {
		ck, err := rq.authorize(kid)
		if err != nil {
			var he *httpError
			if !errors.As(err, &he) {
				return nil, err
			}
			if best == nil || rank(err) > rank(best) {
				best = err
			}
			continue
		}
		p := clearkey.KeyPair{KID: kid}
		if open {
			if p.Key, err = rq.s.open(ck); err != nil {
				return nil, err
			}
		}
		pairs = append(pairs, p)
	}
	if len(pairs) == 0 {
		if best == nil {
			return nil, fmt.Errorf("no key id and no refusal") // ParseRequest never returns no kids
		}
		return nil, best
	}
	var he *httpError
	if errors.As(best, &he) {
		rq.log(slog.LevelInfo, "some requested keys withheld", slog.Int("granted", len(pairs)),
			slog.Int("status", he.Status), slog.String("reason", he.Reason))
	}
	return pairs, nil
}
