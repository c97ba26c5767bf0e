package identity_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/identity"
	"github.com/lockstream/lockstream/internal/identity/identitytest"
	"github.com/lockstream/lockstream/internal/store"
)

func tokenStatus(env *identitytest.Env, clientID, secret string) int {
	return identitytest.PostToken(env.Svc, identitytest.SecretForm(clientID, secret)).Code
}

func TestPrincipalLifecycle(t *testing.T) {
	ctx := context.Background()
	env := identitytest.New(t, nil)
	svc := env.Svc
	var ids []string
	for i := range 5 {
		p, err := svc.CreatePrincipal(ctx, identity.CreatePrincipalOptions{DisplayName: "app " + string(rune('a'+i))})
		if err != nil {
			t.Fatal(err)
		}
		if p.ClientID == "" || p.ObjectID == "" || p.ClientID == p.ObjectID {
			t.Fatalf("ids %+v", p)
		}
		ids = append(ids, p.ClientID)
	}
	// Keyset paging visits every principal once.
	seen := map[string]bool{}
	after := ""
	for pages := 0; ; pages++ {
		ps, next, err := svc.ListPrincipals(ctx, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if seen[p.ClientID] {
				t.Fatalf("%s listed twice", p.ClientID)
			}
			seen[p.ClientID] = true
		}
		if next == "" {
			break
		}
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		after = next
	}
	if len(seen) != 5 {
		t.Fatalf("listed %d principals, want 5", len(seen))
	}

	id := ids[0]
	// Roles: idempotent assignment, validation, listing, removal.
	ra, err := svc.AssignRole(ctx, id, "media operator", "/subscriptions/S/resourceGroups/RG/providers/Microsoft.Media/mediaservices/A")
	if err != nil {
		t.Fatal(err)
	}
	again, err := svc.AssignRole(ctx, id, "Media Operator", "/subscriptions/s/resourcegroups/rg/providers/microsoft.media/mediaservices/a")
	if err != nil || again.ID != ra.ID {
		t.Fatalf("second assignment %+v %v, want the same id %s", again, err, ra.ID)
	}
	if _, err := svc.AssignRole(ctx, id, "Root", "*"); !errors.Is(err, identity.ErrInvalid) || !errors.Is(err, store.ErrInvalid) {
		t.Errorf("unknown role: %v", err)
	}
	if _, err := svc.AssignRole(ctx, id, "Reader", "/subscriptions/s"); !errors.Is(err, identity.ErrInvalid) {
		t.Errorf("bad scope: %v", err)
	}
	if _, err := svc.AssignRole(ctx, "no-such-app", "Reader", "*"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown principal: %v", err)
	}
	if _, err := svc.AssignRole(ctx, id, "Reader", "*"); err != nil {
		t.Fatal(err)
	}
	roles, err := svc.ListRoles(ctx, id)
	if err != nil || len(roles) != 2 {
		t.Fatalf("roles %+v %v", roles, err)
	}
	if err := svc.RemoveRole(ctx, id, ra.ID); err != nil {
		t.Fatal(err)
	}
	p, err := svc.LookupPrincipal(ctx, id)
	if err != nil || len(p.Roles) != 1 || p.Roles[0] != (auth.RoleAssignment{Role: auth.RoleReader, Scope: "*"}) {
		t.Fatalf("lookup %+v %v", p, err)
	}

	// Deleting the principal removes its role assignments too.
	if err := svc.DeletePrincipal(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.LookupPrincipal(ctx, id); !errors.Is(err, auth.ErrPrincipalNotFound) {
		t.Errorf("lookup after delete: %v", err)
	}
	rs, err := env.Store.List(ctx, store.ListQuery{Kind: identity.KindRoleAssignment, Scope: identity.DefaultScope, ScopePrefix: true})
	if err != nil || len(rs) != 0 {
		t.Errorf("%d role assignments left after delete (%v)", len(rs), err)
	}
	if err := svc.DeletePrincipal(ctx, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
}

func TestSecretRotation(t *testing.T) {
	ctx := context.Background()
	env := identitytest.New(t, nil)
	clientID, first := env.NewClient(t)
	second, secondValue, err := func() (identity.SecretInfo, string, error) {
		return env.Svc.AddSecret(ctx, clientID, identity.SecretOptions{DisplayName: "next", Lifetime: 48 * time.Hour})
	}()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secondValue, strings.ReplaceAll(second.KeyID, "-", "")[:8]+"~") || len(secondValue) < 50 {
		t.Errorf("secret format %q", secondValue[:10])
	}
	// Both secrets work while a client switches over.
	if tokenStatus(env, clientID, first) != 200 || tokenStatus(env, clientID, secondValue) != 200 {
		t.Fatal("both secrets should work during rotation")
	}
	p, _ := env.Svc.GetPrincipal(ctx, clientID)
	if len(p.Secrets) != 2 {
		t.Fatalf("secrets %+v", p.Secrets)
	}
	if err := env.Svc.RemoveSecret(ctx, clientID, p.Secrets[0].KeyID); err != nil {
		t.Fatal(err)
	}
	if tokenStatus(env, clientID, first) != 401 || tokenStatus(env, clientID, secondValue) != 200 {
		t.Fatal("removed secret still works, or the other stopped")
	}
	// Secrets expire.
	env.Clock.Advance(49 * time.Hour)
	if c := tokenStatus(env, clientID, secondValue); c != 401 {
		t.Errorf("expired secret: %d", c)
	}
	if _, _, err := env.Svc.AddSecret(ctx, clientID, identity.SecretOptions{Lifetime: 10 * 365 * 24 * time.Hour}); !errors.Is(err, identity.ErrInvalid) {
		t.Errorf("10-year secret: %v", err)
	}
	if err := env.Svc.RemoveSecret(ctx, clientID, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("remove unknown secret: %v", err)
	}
}

func TestEnsureBootstrap(t *testing.T) {
	ctx := context.Background()
	env := identitytest.New(t, nil)
	const id, secret = "lockstream-admin", "bootstrap-secret-0123456789"
	if err := env.Svc.EnsureBootstrap(ctx, id, secret); err != nil {
		t.Fatal(err)
	}
	res, err := env.Store.Get(ctx, store.Key{Kind: identity.KindServicePrincipal, Scope: identity.DefaultScope, Name: id})
	if err != nil {
		t.Fatal(err)
	}
	// A restart (or a second node) with the same secret writes nothing.
	if err := env.Another(t, nil).EnsureBootstrap(ctx, id, secret); err != nil {
		t.Fatal(err)
	}
	if again, _ := env.Store.Get(ctx, res.Key()); again.Version != res.Version {
		t.Errorf("idempotent EnsureBootstrap wrote the record (version %d → %d)", res.Version, again.Version)
	}
	p, err := env.Svc.LookupPrincipal(ctx, id)
	if err != nil || !auth.Allowed(p, "", "roleAssignments", auth.Write) {
		t.Fatalf("bootstrap principal %+v %v is not Owner on *", p, err)
	}
	if tokenStatus(env, id, secret) != 200 {
		t.Fatal("bootstrap secret does not work")
	}
	// Generated secrets coexist with the bootstrap secret...
	_, extra, err := env.Svc.AddSecret(ctx, id, identity.SecretOptions{})
	if err != nil || tokenStatus(env, id, extra) != 200 {
		t.Fatalf("added secret: %v", err)
	}
	// ...and survive a change of the configured secret, which replaces
	// the old bootstrap secret.
	if err := env.Svc.EnsureBootstrap(ctx, id, "new-bootstrap-secret-987654321"); err != nil {
		t.Fatal(err)
	}
	if tokenStatus(env, id, secret) != 401 || tokenStatus(env, id, "new-bootstrap-secret-987654321") != 200 || tokenStatus(env, id, extra) != 200 {
		t.Fatal("secret change not applied as expected")
	}
	for _, bad := range [][2]string{{"", secret}, {"has space", secret}, {id, "short"}} {
		if err := env.Svc.EnsureBootstrap(ctx, bad[0], bad[1]); !errors.Is(err, identity.ErrInvalid) {
			t.Errorf("EnsureBootstrap(%q, …) = %v", bad[0], err)
		}
	}
}

func TestConfigValidation(t *testing.T) {
	env := identitytest.New(t, nil)
	for name, edit := range map[string]func(*identity.Config){
		"no store":           func(c *identity.Config) { c.Store = nil },
		"no sealer":          func(c *identity.Config) { c.Sealer = nil },
		"tenant not a GUID":  func(c *identity.Config) { c.TenantID = "contoso" },
		"no audience":        func(c *identity.Config) { c.Audience = "" },
		"short RSA":          func(c *identity.Config) { c.Keys.RSABits = 1024 },
		"HS256":              func(c *identity.Config) { c.Keys.Algorithm = "HS256" },
		"overlap too short":  func(c *identity.Config) { c.Keys.Overlap = 30 * time.Minute },
		"prepublish≥life":    func(c *identity.Config) { c.Keys.PrePublish = 25 * time.Hour },
		"bad scope":          func(c *identity.Config) { c.Scope = "lockstream" },
		"token lifetime 2 d": func(c *identity.Config) { c.TokenLifetime = 48 * time.Hour },
	} {
		cfg := env.Config
		edit(&cfg)
		if _, err := identity.New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestMethodsAndUnknownPaths(t *testing.T) {
	env := identitytest.New(t, nil)
	for _, tt := range []struct {
		method, path string
		status       int
	}{
		{http.MethodPost, "/" + tenant + "/discovery/v2.0/keys", 405},
		{http.MethodPut, "/" + tenant + "/v2.0/.well-known/openid-configuration", 405},
		{http.MethodGet, "/", 400},
		{http.MethodGet, "/" + tenant + "/oauth2/v2.0/devicecode", 404},
		{http.MethodGet, "/" + tenant + "/", 404},
	} {
		w := do(env.Svc, tt.method, "https://sts.example.com"+tt.path, nil, nil)
		if w.Code != tt.status {
			t.Errorf("%s %s: %d, want %d", tt.method, tt.path, w.Code, tt.status)
		}
	}
}
