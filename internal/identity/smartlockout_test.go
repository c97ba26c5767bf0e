package identity_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/identity/identitytest"
)

// TestLockoutCannotLockOutTheOwner: an attacker who knows the Owner's
// client id and fails from one address is slowed, then locked; the Owner's
// correct secret keeps working from the address it used before, on every
// node. Before, ten failures from anywhere locked the client id for
// everyone for 15 minutes.
func TestLockoutCannotLockOutTheOwner(t *testing.T) {
	env := identitytest.New(t, nil)
	clientID, secret := env.NewClient(t)
	const owner, attacker = "198.51.100.4:50000", "203.0.113.7:40000"
	post := func(remote, sec string) int {
		return identitytest.PostTokenFrom(env.Svc, remote, identitytest.SecretForm(clientID, sec)).Code
	}
	if c := post(owner, secret); c != 200 {
		t.Fatalf("owner's first token: %d", c)
	}
	before := len(env.Sleeps())
	for i := range 12 {
		if c := post(attacker, fmt.Sprintf("guess-%02d-0123456789abcdef", i)); c != http.StatusUnauthorized && c != http.StatusBadRequest {
			t.Fatalf("attacker guess %d: %d", i, c)
		}
		// The owner interleaves and is never refused.
		if c := post(owner, secret); c != 200 {
			t.Fatalf("owner after %d attacker failures: %d", i+1, c)
		}
	}
	// The attacker was slowed before being locked...
	var slowed int
	for _, d := range env.Sleeps()[before:] {
		if d > 0 {
			slowed++
		}
	}
	if slowed < 5 {
		t.Errorf("attacker delayed %d times, want the failures from the 3rd on slowed", slowed)
	}
	// ...and is now locked, even with the right secret (AADSTS50053),
	// on this node and on another sharing the store.
	w := identitytest.PostTokenFrom(env.Svc, attacker, identitytest.SecretForm(clientID, secret))
	if w.Code != http.StatusBadRequest {
		t.Fatalf("locked attacker with the right secret: %d", w.Code)
	}
	assertAADError(t, decode(t, w), "invalid_client", 50053)
	other := env.Another(t, nil)
	if c := identitytest.PostTokenFrom(other, attacker, identitytest.SecretForm(clientID, secret)).Code; c != http.StatusBadRequest {
		t.Errorf("other node, attacker: %d, want 400 (locked)", c)
	}
	if c := identitytest.PostTokenFrom(other, owner, identitytest.SecretForm(clientID, secret)).Code; c != 200 {
		t.Errorf("other node, owner: %d, want 200", c)
	}
	if logs := env.Logs(); !strings.Contains(logs, "locked for one source") || !strings.Contains(logs, "203.0.113.7") || strings.Contains(logs, secret) {
		t.Errorf("lock not logged with its source, or a secret logged:\n%s", logs)
	}
	// The attacker's lock ends after its duration.
	env.Clock.Advance(16 * time.Minute)
	if c := post(attacker, secret); c != 200 {
		t.Errorf("after the lock: %d", c)
	}
}

// TestLockoutDistributedGuessing: guesses spread over many addresses lock
// the sources that never authenticated the client, while the owner's
// familiar source keeps working.
func TestLockoutDistributedGuessing(t *testing.T) {
	env := identitytest.New(t, nil)
	clientID, secret := env.NewClient(t)
	const owner = "198.51.100.4:50000"
	if c := identitytest.PostTokenFrom(env.Svc, owner, identitytest.SecretForm(clientID, secret)).Code; c != 200 {
		t.Fatalf("owner: %d", c)
	}
	// 100 failures (the unfamiliar threshold), 5 per address: no single
	// address reaches its own threshold.
	for i := range 100 {
		remote := fmt.Sprintf("203.0.113.%d:1000", i/5)
		identitytest.PostTokenFrom(env.Svc, remote, identitytest.SecretForm(clientID, "wrong-0123456789abcdef"))
	}
	if c := identitytest.PostTokenFrom(env.Svc, "192.0.2.200:1", identitytest.SecretForm(clientID, secret)).Code; c != http.StatusBadRequest {
		t.Errorf("new address with the right secret during the attack: %d, want 400 (locked)", c)
	}
	if c := identitytest.PostTokenFrom(env.Svc, owner, identitytest.SecretForm(clientID, secret)).Code; c != 200 {
		t.Errorf("familiar address during the attack: %d, want 200", c)
	}
	// An IPv6 host is one source per /64.
	if c := identitytest.PostTokenFrom(env.Svc, "[2001:db8:1:2::1]:1", identitytest.SecretForm(clientID, secret)).Code; c != http.StatusBadRequest {
		t.Errorf("new IPv6 address during the attack: %d, want 400", c)
	}
}
