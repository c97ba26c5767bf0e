package sts_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/sts"
)

// TestPasswordGrantLockout: password grants had no lockout at all. Now an
// attacker guessing a user's secret from one address is slowed, then
// locked at that address, while the user's correct secret keeps working
// from the address it used before.
func TestPasswordGrantLockout(t *testing.T) {
	var mu sync.Mutex
	var sleeps []time.Duration
	e := newEnv(t, func(c *sts.Config) {
		c.Sleep = func(_ context.Context, d time.Duration) error {
			mu.Lock()
			defer mu.Unlock()
			sleeps = append(sleeps, d)
			return nil
		}
	})
	_, secret := e.user("alice")
	post := func(remote, password string) int {
		form := url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {password}}
		r := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.RemoteAddr = remote
		w := httptest.NewRecorder()
		e.svc.Handler().ServeHTTP(w, r)
		return w.Code
	}
	const owner, attacker = "198.51.100.4:1", "203.0.113.7:2"
	if c := post(owner, secret); c != 200 {
		t.Fatalf("owner: %d", c)
	}
	for i := range 12 {
		if c := post(attacker, fmt.Sprintf("guess-%d", i)); c != http.StatusUnauthorized && c != http.StatusBadRequest {
			t.Fatalf("guess %d: %d", i, c)
		}
		if c := post(owner, secret); c != 200 {
			t.Fatalf("owner after %d failures elsewhere: %d", i+1, c)
		}
	}
	if c := post(attacker, secret); c != http.StatusBadRequest {
		t.Fatalf("locked attacker with the right secret: %d, want 400", c)
	}
	mu.Lock()
	slowed := 0
	for _, d := range sleeps {
		if d > 0 {
			slowed++
		}
	}
	mu.Unlock()
	if slowed < 5 {
		t.Errorf("attacker slowed %d times (%v)", slowed, sleeps)
	}
	if logs := e.logs.String(); !strings.Contains(logs, "locked for one source") || strings.Contains(logs, secret) {
		t.Errorf("lock not logged, or the secret logged:\n%s", logs)
	}
	// Another node sharing the store sees the lock.
	other := e.newService()
	form := url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {secret}}
	r := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.RemoteAddr = attacker
	w := httptest.NewRecorder()
	other.Handler().ServeHTTP(w, r)
	if w.Code != http.StatusBadRequest {
		t.Errorf("other node, attacker: %d, want 400", w.Code)
	}
}
