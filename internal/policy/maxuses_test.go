package policy_test

import (
	"context"
	"crypto/elliptic"
	"encoding/base64"
	"errors"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/policy"
)

func evaluate(e *policy.Evaluator, p *defs.ContentKeyPolicyProperties, token string) (policy.Decision, error) {
	return e.Evaluate(context.Background(), policy.Request{Policy: p, Kind: policy.KindEnvelope, KID: testKID, Token: token})
}

// wantUses asserts that token is granted n times and then refused as used
// up.
func wantUses(t *testing.T, e *policy.Evaluator, p *defs.ContentKeyPolicyProperties, token string, n int) {
	t.Helper()
	for i := range n {
		if _, err := evaluate(e, p, token); err != nil {
			t.Fatalf("use %d of %d refused: %v", i+1, n, err)
		}
	}
	_, err := evaluate(e, p, token)
	if !errors.Is(err, policy.ErrUnauthenticated) || !strings.Contains(err.Error(), "use limit") {
		t.Fatalf("use %d: err = %v, want use limit reached", n+1, err)
	}
}

func TestMaxUses(t *testing.T) {
	k := fixtures()
	hs := single(jwtRestriction(symKey(k.hs)))
	base := baseClaims()

	t.Run("string count as .NET issues it", func(t *testing.T) {
		wantUses(t, newEvaluator(t, policy.Config{}), hs, hsJWT(k.hs, base.with(policy.MaxUsesClaim, "3")), 3)
	})
	t.Run("number count", func(t *testing.T) {
		wantUses(t, newEvaluator(t, policy.Config{}), hs, hsJWT(k.hs, base.with(policy.MaxUsesClaim, 2)), 2)
	})
	t.Run("SWT", func(t *testing.T) {
		tok := swt(k.hs, swtBase(testNow.Add(10*time.Minute), swtPair{policy.MaxUsesClaim, "2"})...)
		wantUses(t, newEvaluator(t, policy.Config{}), single(swtRestriction(symKey(k.hs))), tok, 2)
	})
	t.Run("tokens counted apart", func(t *testing.T) {
		e := newEvaluator(t, policy.Config{})
		a := hsJWT(k.hs, base.with(policy.MaxUsesClaim, "1", "jti", "a"))
		b := hsJWT(k.hs, base.with(policy.MaxUsesClaim, "1", "jti", "b"))
		wantUses(t, e, hs, a, 1)
		wantUses(t, e, hs, b, 1)
	})
	t.Run("exp more than one hour ahead", func(t *testing.T) {
		e := newEvaluator(t, policy.Config{})
		_, err := evaluate(e, hs, hsJWT(k.hs, base.with(policy.MaxUsesClaim, "5", "exp", testNow.Add(time.Hour+time.Second).Unix())))
		if !errors.Is(err, policy.ErrUnauthenticated) || !strings.Contains(err.Error(), "ahead") {
			t.Fatalf("err = %v, want refusal for exp too far ahead", err)
		}
		wantUses(t, e, hs, hsJWT(k.hs, base.with(policy.MaxUsesClaim, "1", "exp", testNow.Add(time.Hour).Unix())), 1)
	})
	t.Run("malformed counts", func(t *testing.T) {
		e := newEvaluator(t, policy.Config{})
		for _, v := range []any{"0", 0, "-1", -1, "1.5", 1.5, "abc", " 2", []int{1, 2}, true, "99999999999999999999"} {
			_, err := evaluate(e, hs, hsJWT(k.hs, base.with(policy.MaxUsesClaim, v)))
			if !errors.Is(err, policy.ErrUnauthenticated) || !strings.Contains(err.Error(), "maxuses") {
				t.Errorf("maxuses %#v: err = %v", v, err)
			}
		}
	})
	t.Run("refused requests spend no use", func(t *testing.T) {
		e := newEvaluator(t, policy.Config{})
		tok := hsJWT(k.hs, base.with(policy.MaxUsesClaim, "1"))
		strict := single(withClaims(jwtRestriction(symKey(k.hs)), claim("sub", "")))
		for range 3 {
			if _, err := evaluate(e, strict, tok); !errors.Is(err, policy.ErrForbidden) {
				t.Fatalf("err = %v, want ErrForbidden", err)
			}
		}
		wantUses(t, e, hs, tok, 1)
	})
	t.Run("a spent token is spent for every option", func(t *testing.T) {
		counter := &recordingCounter{inner: policy.NewMemoryUseCounter(func() time.Time { return testNow })}
		e := newEvaluator(t, policy.Config{UseCounter: counter})
		two := pol(option("a", jwtRestriction(symKey(k.hs))), option("b", jwtRestriction(symKey(k.hs))))
		wantUses(t, e, two, hsJWT(k.hs, base.with(policy.MaxUsesClaim, "1")), 1)
		if counter.calls != 2 {
			t.Fatalf("counter called %d times for 2 requests", counter.calls)
		}
		// The counter keeps the token as long as it verifies.
		if want := testNow.Add(30*time.Minute + policy.DefaultClockSkew); !counter.expires.Equal(want) {
			t.Fatalf("counter expiry %v, want exp+skew %v", counter.expires, want)
		}
	})
	t.Run("counter failure is unavailable", func(t *testing.T) {
		e := newEvaluator(t, policy.Config{UseCounter: failingCounter{}})
		_, err := evaluate(e, hs, hsJWT(k.hs, base.with(policy.MaxUsesClaim, "1")))
		if !errors.Is(err, policy.ErrUnavailable) {
			t.Fatalf("err = %v, want ErrUnavailable", err)
		}
		if _, err := evaluate(e, hs, hsJWT(k.hs, base)); err != nil {
			t.Fatalf("token without maxuses needs no counter: %v", err)
		}
	})
	t.Run("ES256 twin signature is the same token", func(t *testing.T) {
		idp := newOIDCServer(t, jwk("ec1", "ES256", &k.ec.PublicKey))
		p := single(idp.restriction())
		tok := joseJWT(t, jose.ES256, k.ec, "ec1", base.with(policy.MaxUsesClaim, "1"))
		twin := ecdsaTwin(t, tok)
		if _, err := evaluate(newEvaluator(t, policy.Config{AllowInsecureDiscovery: true}), p, twin); err != nil {
			t.Fatalf("the twin signature must verify on its own: %v", err)
		}
		e := newEvaluator(t, policy.Config{AllowInsecureDiscovery: true})
		if _, err := evaluate(e, p, tok); err != nil {
			t.Fatal(err)
		}
		if _, err := evaluate(e, p, twin); !errors.Is(err, policy.ErrUnauthenticated) {
			t.Fatalf("twin after the original: err = %v, want use limit", err)
		}
	})
}

// ecdsaTwin replaces s by n-s in an ES256 token: the other valid signature.
func ecdsaTwin(t *testing.T, tok string) string {
	t.Helper()
	i := strings.LastIndexByte(tok, '.')
	sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
	if err != nil || len(sig) != 64 {
		t.Fatalf("not an ES256 signature: %v", err)
	}
	s := new(big.Int).SetBytes(sig[32:])
	s.Sub(elliptic.P256().Params().N, s)
	s.FillBytes(sig[32:])
	return tok[:i+1] + base64.RawURLEncoding.EncodeToString(sig)
}

type recordingCounter struct {
	inner   policy.UseCounter
	mu      sync.Mutex
	calls   int
	expires time.Time
}

func (c *recordingCounter) Use(ctx context.Context, id [32]byte, expires time.Time) (int64, error) {
	c.mu.Lock()
	c.calls++
	c.expires = expires
	c.mu.Unlock()
	return c.inner.Use(ctx, id, expires)
}

type failingCounter struct{}

func (failingCounter) Use(context.Context, [32]byte, time.Time) (int64, error) {
	return 0, errors.New("store down")
}

func TestMemoryUseCounter(t *testing.T) {
	now := testNow
	c := policy.NewMemoryUseCounter(func() time.Time { return now })
	ctx := context.Background()
	a, b := [32]byte{1}, [32]byte{2}
	for want := int64(1); want <= 3; want++ {
		if got, err := c.Use(ctx, a, now.Add(time.Minute)); err != nil || got != want {
			t.Fatalf("use a: %d %v, want %d", got, err, want)
		}
	}
	if got, _ := c.Use(ctx, b, now.Add(time.Hour)); got != 1 {
		t.Fatalf("use b: %d, want 1", got)
	}
	now = now.Add(2 * time.Minute) // a expired, sweep due
	if got, _ := c.Use(ctx, b, now.Add(time.Hour)); got != 2 {
		t.Fatalf("use b: %d, want 2", got)
	}
	if n := c.Len(); n != 1 {
		t.Fatalf("%d entries after the sweep, want 1", n)
	}
	if got, _ := c.Use(ctx, a, now.Add(time.Minute)); got != 1 {
		t.Fatalf("a after expiry: %d, want a fresh count", got)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Use(cancelled, a, now); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

// TestMemoryUseCounterConcurrent checks that concurrent uses of one token
// get distinct counts: the atomicity UseCounter documents.
func TestMemoryUseCounterConcurrent(t *testing.T) {
	c := policy.NewMemoryUseCounter(func() time.Time { return testNow })
	const n = 200
	seen := make([]bool, n+1)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			got, err := c.Use(context.Background(), [32]byte{9}, testNow.Add(time.Hour))
			mu.Lock()
			defer mu.Unlock()
			if err != nil || got < 1 || got > n || seen[got] {
				t.Errorf("use returned %d, %v (duplicate or out of range)", got, err)
				return
			}
			seen[got] = true
		})
	}
	wg.Wait()
}
