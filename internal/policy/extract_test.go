package policy_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/policy"
)

// TestTokenLocation checks that every place a token may travel yields the
// same token, and so the same decision, for good and bad tokens alike.
func TestTokenLocation(t *testing.T) {
	k := fixtures()
	jwtPolicy := single(jwtRestriction(symKey(k.hs)))
	swtPolicy := single(swtRestriction(symKey(k.hs)))
	good := hsJWT(k.hs, baseClaims())
	bad := hsJWT(k.hsOther, baseClaims())
	goodSWT := swt(k.hs, swtBase(testNow.Add(10*time.Minute))...)

	type carrier struct {
		name string
		req  func(tok string) *http.Request
	}
	get := func(query string) *http.Request { return httptest.NewRequest(http.MethodGet, "/key?"+query, nil) }
	carriers := []carrier{
		{"Authorization Bearer", func(tok string) *http.Request {
			r := get("")
			r.Header.Set("Authorization", "Bearer "+tok)
			return r
		}},
		{"Authorization bearer lower case", func(tok string) *http.Request {
			r := get("")
			r.Header.Set("Authorization", "bearer "+tok)
			return r
		}},
		{"Authorization Bearer=", func(tok string) *http.Request {
			r := get("")
			r.Header.Set("Authorization", "Bearer="+tok)
			return r
		}},
		{"token query", func(tok string) *http.Request { return get("token=" + url.QueryEscape(tok)) }},
		{"token query with Bearer prefix", func(tok string) *http.Request { return get("token=" + url.QueryEscape("Bearer "+tok)) }},
		{"Bearer query", func(tok string) *http.Request { return get("kid=x&Bearer=" + url.QueryEscape(tok)) }},
		{"Bearer form", func(tok string) *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/key", strings.NewReader("Bearer="+url.QueryEscape(tok)))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			return r
		}},
		{"header and query agree", func(tok string) *http.Request {
			r := get("token=" + url.QueryEscape(tok))
			r.Header.Set("Authorization", "Bearer "+tok)
			return r
		}},
	}
	for _, c := range carriers {
		t.Run(c.name, func(t *testing.T) {
			e := newEvaluator(t, policy.Config{})
			for _, tc := range []struct {
				name, token string
				policy      *defs.ContentKeyPolicyProperties
				want        error
			}{
				{"valid JWT", good, jwtPolicy, nil},
				{"invalid JWT", bad, jwtPolicy, policy.ErrUnauthenticated},
				{"valid SWT", goodSWT, swtPolicy, nil},
			} {
				got, err := policy.TokenFromRequest(c.req(tc.token))
				if err != nil || got != tc.token {
					t.Fatalf("%s: extracted %q, %v", tc.name, got, err)
				}
				_, err = evaluate(e, tc.policy, got)
				if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
					t.Fatalf("%s: err = %v, want %v", tc.name, err, tc.want)
				}
			}
		})
	}
	if got, err := policy.TokenFromRequest(get("")); got != "" || err != nil {
		t.Fatalf("no token: %q, %v", got, err)
	}
}

func TestTokenLocationRefusals(t *testing.T) {
	tests := []struct {
		name string
		req  func() *http.Request
		want string // "" means no error and no token
	}{
		{"two different tokens", func() *http.Request {
			r := httptest.NewRequest(http.MethodGet, "/key?token=a.b.c", nil)
			r.Header.Set("Authorization", "Bearer x.y.z")
			return r
		}, "different tokens"},
		{"token repeated", func() *http.Request { return httptest.NewRequest(http.MethodGet, "/key?token=a&token=a", nil) }, "repeated"},
		{"two Authorization headers", func() *http.Request {
			r := httptest.NewRequest(http.MethodGet, "/key", nil)
			r.Header.Add("Authorization", "Bearer a")
			r.Header.Add("Authorization", "Bearer b")
			return r
		}, "several"},
		{"form body too large", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/key", strings.NewReader("Bearer="+strings.Repeat("a", 70<<10)))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, "form body"},
		{"Basic credentials are not a token", func() *http.Request {
			r := httptest.NewRequest(http.MethodGet, "/key", nil)
			r.SetBasicAuth("u", "p")
			return r
		}, ""},
		{"empty Bearer", func() *http.Request {
			r := httptest.NewRequest(http.MethodGet, "/key", nil)
			r.Header.Set("Authorization", "Bearer ")
			return r
		}, ""},
		{"binary license body is not read", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/license", strings.NewReader("\x08\x01Bearer=x"))
			r.Header.Set("Content-Type", "application/octet-stream")
			return r
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := policy.TokenFromRequest(tt.req())
			if tt.want == "" {
				if err != nil || got != "" {
					t.Fatalf("got %q, %v; want no token", got, err)
				}
				return
			}
			if !errors.Is(err, policy.ErrUnauthenticated) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrUnauthenticated mentioning %q", err, tt.want)
			}
		})
	}
}
