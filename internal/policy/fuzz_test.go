package policy_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/policy"
)

// fuzzKey signs the fuzzer's headers and payloads, so that inputs reach
// the claim checks behind the signature, not only the parser in front.
var fuzzKey = fill(64, 1)

// fuzzPolicy has a restriction with required claims and key binding and
// a plain one, so both paths run.
func fuzzPolicy(tt defs.ContentKeyPolicyRestrictionTokenType) *defs.ContentKeyPolicyProperties {
	strict := withClaims(jwtRestriction(symKey(fuzzKey)), claim("groups", "gold"), claim(defs.ContentKeyIdentifierClaim, ""))
	plain := jwtRestriction(symKey(fuzzKey))
	strict.RestrictionTokenType, plain.RestrictionTokenType = tt, tt
	return pol(option("strict", strict), option("plain", plain))
}

// fuzzCheck evaluates token and fails on anything but a grant or a
// *policy.Error of one of the three classes that does not repeat the
// token.
func fuzzCheck(t *testing.T, e *policy.Evaluator, p *defs.ContentKeyPolicyProperties, token string) {
	d, err := e.Evaluate(context.Background(), policy.Request{Policy: p, Kind: policy.KindEnvelope, KID: testKID, Token: token})
	if err == nil {
		if d.Index < 0 || d.Index >= len(p.Options) || d.TokenExpires.IsZero() {
			t.Fatalf("odd decision %+v", d)
		}
		return
	}
	var pe *policy.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %T is not a *policy.Error: %v", err, err)
	}
	if !errors.Is(err, policy.ErrUnauthenticated) && !errors.Is(err, policy.ErrForbidden) && !errors.Is(err, policy.ErrUnavailable) {
		t.Fatalf("error without a class: %v", err)
	}
	if len(token) >= 24 && strings.Contains(err.Error(), token) {
		t.Fatalf("error repeats the token: %v", err)
	}
}

func hs256(data string) []byte {
	m := hmac.New(sha256.New, fuzzKey)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// FuzzJWT feeds raw tokens, and headers and payloads that it signs, to a
// JWT restriction. It must never panic and must only grant or refuse with
// a classified error.
func FuzzJWT(f *testing.F) {
	e, err := policy.NewEvaluator(policy.Config{Now: func() time.Time { return testNow }})
	if err != nil {
		f.Fatal(err)
	}
	p := fuzzPolicy(defs.ContentKeyPolicyRestrictionTokenTypeJwt)
	valid := mustJSON(baseClaims().with("groups", []string{"gold"}, defs.ContentKeyIdentifierClaim, testKID.String()))
	for _, s := range []struct{ raw, header, payload string }{
		{hsJWT(fuzzKey, baseClaims()), `{"alg":"HS256","typ":"JWT"}`, valid},
		{"", `{"alg":"HS256"}`, mustJSON(baseClaims().with(policy.MaxUsesClaim, "2"))},
		{"eyJhbGciOiJub25lIn0.e30.", `{"alg":"none"}`, `{}`},
		{"a.b.c.d.e", `{"alg":"HS256","crit":["x"]}`, `{"exp":"1"}`},
		{strings.Repeat(".", 100), `{"alg":"HS256","alg":"HS256"}`, `{"iss":1,"aud":[1,2]}`},
		{"", `{"alg":"HS256","kid":"../../x"}`, `{"groups":[[],{},null,1e999,-0,"gold"]}`},
		{"", `{"alg":"HS256"}`, "{\"iss\":\"\xff\"}"},
	} {
		f.Add(s.raw, s.header, s.payload)
	}
	f.Fuzz(func(t *testing.T, raw, header, payload string) {
		fuzzCheck(t, e, p, raw)
		input := b64([]byte(header)) + "." + b64([]byte(payload))
		fuzzCheck(t, e, p, input+"."+b64(hs256(input)))
	})
}

// FuzzSWT feeds raw tokens, and pair lists that it signs, to an SWT
// restriction.
func FuzzSWT(f *testing.F) {
	e, err := policy.NewEvaluator(policy.Config{Now: func() time.Time { return testNow }})
	if err != nil {
		f.Fatal(err)
	}
	p := fuzzPolicy(defs.ContentKeyPolicyRestrictionTokenTypeSwt)
	good := swtBody(swtBase(testNow.Add(10*time.Minute), swtPair{"groups", "gold"}, swtPair{defs.ContentKeyIdentifierClaim, testKID.String()})...)
	for _, s := range []struct{ raw, body string }{
		{swt(fuzzKey, swtBase(testNow.Add(time.Minute))...), good},
		{"HMACSHA256=x", swtBody(swtBase(testNow.Add(time.Minute), swtPair{policy.MaxUsesClaim, "1"})...)},
		{"Issuer=a&HMACSHA256=%zz", "Issuer=%ff&Issuer=b"},
		{"a=b&HMACSHA256=" + strings.Repeat("A", 44), "=&&=="},
		{"Issuer=x&HMACSHA256=abc&Audience=y", "ExpiresOn=99999999999999999999"},
	} {
		f.Add(s.raw, s.body)
	}
	f.Fuzz(func(t *testing.T, raw, body string) {
		fuzzCheck(t, e, p, raw)
		fuzzCheck(t, e, p, body+"&HMACSHA256="+swtSign(fuzzKey, body))
	})
}

// FuzzTokenFromRequest checks that extraction never panics, classifies
// its errors and returns trimmed tokens.
func FuzzTokenFromRequest(f *testing.F) {
	f.Add("Bearer a.b.c", "token=a.b.c", "Bearer=a.b.c")
	f.Add("Bearer=x", "Bearer=y&token=y", "")
	f.Add("bearer", "token=%zz", "Bearer=%")
	f.Fuzz(func(t *testing.T, header, query, form string) {
		r := httptest.NewRequest(http.MethodPost, "/key", strings.NewReader(form))
		r.URL.RawQuery = query
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header["Authorization"] = []string{header}
		tok, err := policy.TokenFromRequest(r)
		if err != nil {
			if !errors.Is(err, policy.ErrUnauthenticated) {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if tok != strings.TrimSpace(tok) {
			t.Fatalf("untrimmed token %q", tok)
		}
	})
}
