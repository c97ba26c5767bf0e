package policy

import (
	"context"
	"fmt"
	"time"
)

// MaxUsesClaim limits how often one token may fetch keys or licenses.
const MaxUsesClaim = "urn:microsoft:azure:mediaservices:maxuses"

// MaxUsesLifetime is the longest a max-uses token may still have to live
// at the time of a request: AMS refused such tokens with a later exp, and
// the limit bounds how long counters must be kept.
const MaxUsesLifetime = time.Hour

// UseCounter counts uses of max-uses tokens.
//
// Use adds one use of the token identified by tokenID and returns the
// number of uses including this one. The increment and the read must be
// one atomic step across every process that serves key requests for the
// same policies (for example one SQL UPDATE … RETURNING, or an upsert):
// with a separate read and write, concurrent requests could each see a
// count below the limit. The counter may forget a token once expires has
// passed; tokens are refused from then on regardless of their count.
//
// Errors make the request fail with ErrUnavailable: a counter that cannot
// count must not grant uses.
type UseCounter interface {
	Use(ctx context.Context, tokenID [32]byte, expires time.Time) (uses int64, err error)
}

// consumeUse enforces the max-uses claim of a token that passed every
// other check. Any error here ends the evaluation: the token was good for
// this option, so trying others would count it again.
func (st *evaluation) consumeUse(ctx context.Context, tok *verifiedToken) error {
	val, ok, err := tok.scalar(MaxUsesClaim)
	if err == nil && !ok {
		return nil
	}
	st.final = true
	if err != nil {
		return unauthenticated(msgInvalidToken, "maxuses claim malformed", err)
	}
	limit, err := parseDigits(val)
	if err != nil || limit < 1 {
		return unauthenticated(msgInvalidToken, "maxuses claim is not a positive integer", err)
	}
	if left := tok.expires.Sub(st.req.Now); left > MaxUsesLifetime {
		return unauthenticated(msgInvalidToken,
			fmt.Sprintf("maxuses %s expires in %v, more than %v ahead", tok.format, left.Round(time.Second), MaxUsesLifetime), nil)
	}
	// The counter must remember the token for as long as it verifies,
	// which is until exp plus the allowed skew.
	uses, err := st.e.cfg.UseCounter.Use(ctx, tok.id(), tok.expires.Add(st.e.cfg.ClockSkew))
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("count token use: %w", ctxErr)
		}
		return unavailable("count token use", err)
	}
	if uses > limit {
		return unauthenticated(msgUsedUp, fmt.Sprintf("%s used %d times, maxuses %d", tok.format, uses, limit), ErrUsedUp)
	}
	st.final = false
	return nil
}
