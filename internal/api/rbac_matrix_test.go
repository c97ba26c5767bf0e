package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/auth"
	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/identity"
	"github.com/lockstream/lockstream/internal/store"
)

// matrixRoles are the built-in roles, spelled as role assignments store
// them, in the column order of ROLES.md.
var matrixRoles = []string{"Owner", "Contributor", "Reader", "Account Administrator",
	"Media Operator", "Policy Administrator", "Streaming Endpoint Administrator"}

// docMatrix is the role × resource table of internal/auth/ROLES.md, copied
// by hand for every resource type the management API serves: "write",
// "read" or "—" per role, in matrixRoles order. It is deliberately not
// derived from package auth, so that a wrong rbac.go fails this test.
var docMatrix = map[string][7]string{
	"mediaservices":      {"write", "write", "read", "write", "read", "read", "read"},
	"assets":             {"write", "write", "read", "read", "write", "—", "—"},
	"assetFilters":       {"write", "write", "read", "read", "write", "—", "—"},
	"accountFilters":     {"write", "write", "read", "read", "write", "—", "—"},
	"contentKeyPolicies": {"write", "write", "read", "read", "—", "write", "—"},
	"streamingPolicies":  {"write", "write", "read", "read", "read", "write", "—"},
	"streamingLocators":  {"write", "write", "read", "read", "write", "read", "—"},
	"streamingEndpoints": {"write", "write", "read", "read", "read", "—", "write"},
	"transforms":         {"write", "write", "read", "read", "write", "—", "—"},
	"jobs":               {"write", "write", "read", "read", "write", "—", "—"},
	"servicePrincipals":  {"write", "—", "read", "—", "—", "—", "—"},
	"roleAssignments":    {"write", "—", "read", "—", "—", "—", "—"},
	"licenseServers":     {"write", "write", "read", "read", "—", "write", "—"},
	"eventSubscriptions": {"write", "write", "read", "read", "write", "—", "—"},
	"keyProviders":       {"write", "write", "read", "read", "—", "write", "—"},
}

// licenseServerBody is a Widevine license server with the public UAT
// test signer.
const licenseServerBody = `{"properties":{"drm":"Widevine","type":"WidevineLicenseService","url":"https://license.uat.widevine.com/cenc/getlicense/widevine_test",` +
	`"widevine":{"provider":"widevine_test","signingKey":"1ae8ccd0e7985cc0b6203a55855a1034afc252980e970ca90e5202689f947ab9","signingIv":"d58ce954203b7c9a9a9d467f59839249"}}}`

// keyProviderBody is a key provider serving no streaming policy (so
// every PUT of the matrix can create one).
const keyProviderBody = `{"properties":{"url":"https://keys.vendor.example/speke/v2/tenant","streamingPolicyNames":[],` +
	`"authentication":{"type":"ApiKey","headerName":"X-Api-Key","headerValue":"vendor-api-key"}}}`

// docAllows is what ROLES.md says role may do to resource with an
// operation that needs level need ("read" or "write").
func docAllows(t *testing.T, role, resource, need string) bool {
	t.Helper()
	row, ok := docMatrix[resource]
	i := slices.Index(matrixRoles, role)
	if !ok || i < 0 {
		t.Fatalf("no ROLES.md entry for %s on %s", role, resource)
	}
	switch row[i] {
	case "write":
		return true
	case "read":
		return need == "read"
	}
	return false
}

// sps is the identity management collection.
const sps = "/providers/Lockstream.Identity/servicePrincipals"

// opCtx is one call of the matrix: one operation by one role.
type opCtx struct {
	ts *testServer
	// n is unique per role: operations name what they create or delete
	// after it, so that the roles do not collide.
	n string
	// id is what setup prepared, e.g. a principal's client id.
	id string
}

// matrixOp is a representative operation of a route family.
type matrixOp struct {
	name     string
	resource string // row of docMatrix
	// need is the level ROLES.md's "Levels" section gives the operation:
	// GET and the read-only actions need read; PUT, DELETE and every
	// other action, the secret-revealing ones included, need write.
	need   string
	method string
	path   func(c *opCtx) string
	body   func(c *opCtx) string // nil: no body
	// setup runs as the bootstrap Owner before the call.
	setup func(t *testing.T, c *opCtx)
	// ok is the status of an allowed call.
	ok int
	// landed, for writes, reports whether the call took effect: it must
	// when allowed and must not when denied.
	landed func(t *testing.T, c *opCtx) bool
}

// ownerGet is a GET by the bootstrap Owner; it returns the status.
func (c *opCtx) ownerGet(path string) int {
	c.ts.tb.Helper()
	return c.ts.call(http.MethodGet, path, "").Status
}

// endpointState returns a streaming endpoint's resourceState.
func (c *opCtx) endpointState(t *testing.T, name string) string {
	t.Helper()
	r := c.ts.mustDo(http.MethodGet, a("/streamingEndpoints/"+name), "", http.StatusOK)
	var e struct {
		Properties struct {
			ResourceState string `json:"resourceState"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(r.Body, &e); err != nil {
		t.Fatal(err)
	}
	return e.Properties.ResourceState
}

func sasBody(*opCtx) string {
	return `{"permissions":"Read","expiryTime":"` + time.Now().Add(time.Hour).UTC().Format(time.RFC3339) + `"}`
}

func fixed(s string) func(*opCtx) string { return func(*opCtx) string { return s } }

// matrixOps covers every route family of the management API.
func matrixOps() []matrixOp {
	get, put, del, post := http.MethodGet, http.MethodPut, http.MethodDelete, http.MethodPost
	acctNamed := func(name string) string {
		return "/subscriptions/" + testSub + "/resourceGroups/" + testRG + "/providers/Microsoft.Media/mediaservices/" + name
	}
	exists := func(path func(c *opCtx) string) func(*testing.T, *opCtx) bool {
		return func(t *testing.T, c *opCtx) bool {
			t.Helper()
			switch s := c.ownerGet(path(c)); s {
			case http.StatusOK:
				return true
			case http.StatusNotFound:
				return false
			default:
				t.Fatalf("GET %s as Owner: status %d", path(c), s)
			}
			return false
		}
	}
	newPrincipal := func(t *testing.T, c *opCtx) {
		t.Helper()
		p, err := c.ts.Identity.Svc.CreatePrincipal(context.Background(), identity.CreatePrincipalOptions{DisplayName: "target " + c.n})
		if err != nil {
			t.Fatal(err)
		}
		c.id = p.ClientID
	}
	principal := func(t *testing.T, c *opCtx) (identity.Principal, bool) {
		t.Helper()
		p, err := c.ts.Identity.Svc.GetPrincipal(context.Background(), c.id)
		if errors.Is(err, store.ErrNotFound) {
			return p, false
		}
		if err != nil {
			t.Fatal(err)
		}
		return p, true
	}
	newEndpoint := func(running bool) func(*testing.T, *opCtx) {
		return func(t *testing.T, c *opCtx) {
			t.Helper()
			c.id = "se" + c.n
			c.ts.mustDo(put, a("/streamingEndpoints/"+c.id), endpointBody, http.StatusCreated)
			if running {
				c.ts.mustDo(post, a("/streamingEndpoints/"+c.id+"/start"), "", http.StatusOK)
			}
		}
	}

	acctPut := func(c *opCtx) string { return acctNamed("put" + c.n) }
	acctDel := func(c *opCtx) string { return acctNamed("del" + c.n) }
	assetPut := func(c *opCtx) string { return a("/assets/m" + c.n) }
	ckpPut := func(c *opCtx) string { return a("/contentKeyPolicies/m" + c.n) }
	spPut := func(c *opCtx) string { return a("/streamingPolicies/m" + c.n) }
	locPut := func(c *opCtx) string { return a("/streamingLocators/m" + c.n) }
	sePut := func(c *opCtx) string { return a("/streamingEndpoints/m" + c.n) }
	afPut := func(c *opCtx) string { return a("/accountFilters/m" + c.n) }
	asfPut := func(c *opCtx) string { return a("/assets/asset1/assetFilters/m" + c.n) }
	trDel := func(c *opCtx) string { return a("/transforms/d" + c.n) }
	jobPut := func(c *opCtx) string { return a("/transforms/tr1/jobs/m" + c.n) }
	jobCancel := func(c *opCtx) string { return a("/transforms/tr1/jobs/c" + c.n) }
	outAsset := func(t *testing.T, c *opCtx) {
		t.Helper()
		c.ts.mustDo(put, a("/assets/o"+c.n), assetBody, http.StatusCreated)
	}
	jobState := func(t *testing.T, c *opCtx) defs.JobState {
		t.Helper()
		return c.ts.getJob(jobCancel(c)).Properties.State
	}
	lsPut := func(c *opCtx) string { return a("/licenseServers/m" + c.n) }
	esPut := func(c *opCtx) string { return subsPath + "/m" + c.n }
	kpPut := func(c *opCtx) string { return a("/keyProviders/m" + c.n) }

	return []matrixOp{
		// accounts
		{name: "accounts GET", resource: "mediaservices", need: "read", method: get, path: fixed(acctPath), ok: 200},
		{name: "accounts PUT", resource: "mediaservices", need: "write", method: put, path: acctPut, body: fixed(accountBody), ok: 201,
			landed: exists(acctPut)},
		{name: "accounts DELETE", resource: "mediaservices", need: "write", method: del, path: acctDel, ok: 200,
			setup:  func(t *testing.T, c *opCtx) { c.ts.mustDo(put, acctDel(c), accountBody, http.StatusCreated) },
			landed: func(t *testing.T, c *opCtx) bool { return !exists(acctDel)(t, c) }},

		// assets
		{name: "assets GET", resource: "assets", need: "read", method: get, path: fixed(a("/assets/asset1")), ok: 200},
		{name: "assets PUT", resource: "assets", need: "write", method: put, path: assetPut, body: fixed(assetBody), ok: 201,
			landed: exists(assetPut)},
		{name: "assets listContainerSas", resource: "assets", need: "write", method: post, path: fixed(a("/assets/asset1/listContainerSas")),
			body: sasBody, ok: 200},
		// Lockstream never stores assets encrypted, so an allowed call gets
		// 400; what matters is that it gets past authorization.
		{name: "assets getEncryptionKey", resource: "assets", need: "write", method: post, path: fixed(a("/assets/asset1/getEncryptionKey")), ok: 400},
		{name: "assets listStreamingLocators", resource: "assets", need: "read", method: post, path: fixed(a("/assets/asset1/listStreamingLocators")), ok: 200},

		// contentKeyPolicies
		{name: "contentKeyPolicies GET", resource: "contentKeyPolicies", need: "read", method: get, path: fixed(a("/contentKeyPolicies/ckp1")), ok: 200},
		{name: "contentKeyPolicies PUT", resource: "contentKeyPolicies", need: "write", method: put, path: ckpPut, body: fixed(ckpClearOpenBody), ok: 201,
			landed: exists(ckpPut)},
		{name: "contentKeyPolicies getPolicyPropertiesWithSecrets", resource: "contentKeyPolicies", need: "write", method: post,
			path: fixed(a("/contentKeyPolicies/ckp1/getPolicyPropertiesWithSecrets")), ok: 200},

		// licenseServers (Lockstream addition)
		{name: "licenseServers list", resource: "licenseServers", need: "read", method: get, path: fixed(a("/licenseServers")), ok: 200},
		{name: "licenseServers PUT", resource: "licenseServers", need: "write", method: put, path: lsPut, body: fixed(licenseServerBody), ok: 201,
			landed: exists(lsPut)},

		// keyProviders (Lockstream addition)
		{name: "keyProviders list", resource: "keyProviders", need: "read", method: get, path: fixed(a("/keyProviders")), ok: 200},
		{name: "keyProviders PUT", resource: "keyProviders", need: "write", method: put, path: kpPut, body: fixed(keyProviderBody), ok: 201,
			landed: exists(kpPut)},

		// streamingPolicies
		{name: "streamingPolicies GET", resource: "streamingPolicies", need: "read", method: get, path: fixed(a("/streamingPolicies/spEnv")), ok: 200},
		{name: "streamingPolicies PUT", resource: "streamingPolicies", need: "write", method: put, path: spPut, body: fixed(spNoEncBody), ok: 201,
			landed: exists(spPut)},

		// streamingLocators
		{name: "streamingLocators GET", resource: "streamingLocators", need: "read", method: get, path: fixed(a("/streamingLocators/loc1")), ok: 200},
		{name: "streamingLocators PUT", resource: "streamingLocators", need: "write", method: put, path: locPut, body: fixed(locatorClearBody), ok: 201,
			landed: exists(locPut)},
		{name: "streamingLocators listContentKeys", resource: "streamingLocators", need: "write", method: post,
			path: fixed(a("/streamingLocators/locEnc/listContentKeys")), ok: 200},
		{name: "streamingLocators listPaths", resource: "streamingLocators", need: "read", method: post,
			path: fixed(a("/streamingLocators/loc1/listPaths")), ok: 200},

		// streamingEndpoints
		{name: "streamingEndpoints GET", resource: "streamingEndpoints", need: "read", method: get, path: fixed(a("/streamingEndpoints/default")), ok: 200},
		{name: "streamingEndpoints PUT", resource: "streamingEndpoints", need: "write", method: put, path: sePut, body: fixed(endpointBody), ok: 201,
			landed: exists(sePut)},
		{name: "streamingEndpoints start", resource: "streamingEndpoints", need: "write", method: post,
			path: func(c *opCtx) string { return a("/streamingEndpoints/" + c.id + "/start") }, ok: 200, setup: newEndpoint(false),
			landed: func(t *testing.T, c *opCtx) bool { return c.endpointState(t, c.id) == "Running" }},
		{name: "streamingEndpoints stop", resource: "streamingEndpoints", need: "write", method: post,
			path: func(c *opCtx) string { return a("/streamingEndpoints/" + c.id + "/stop") }, ok: 200, setup: newEndpoint(true),
			landed: func(t *testing.T, c *opCtx) bool { return c.endpointState(t, c.id) == "Stopped" }},

		// accountFilters and assetFilters
		{name: "accountFilters GET", resource: "accountFilters", need: "read", method: get, path: fixed(a("/accountFilters/af1")), ok: 200},
		{name: "accountFilters PUT", resource: "accountFilters", need: "write", method: put, path: afPut, body: fixed(accountFilterBody), ok: 201,
			landed: exists(afPut)},
		{name: "assetFilters GET", resource: "assetFilters", need: "read", method: get, path: fixed(a("/assets/asset1/assetFilters/f1")), ok: 200},
		{name: "assetFilters PUT", resource: "assetFilters", need: "write", method: put, path: asfPut, body: fixed(accountFilterBody), ok: 201,
			landed: exists(asfPut)},

		// transforms and jobs (transforms are created directly in the store,
		// so that these rows do not depend on the encoder's presets)
		{name: "transforms GET", resource: "transforms", need: "read", method: get, path: fixed(a("/transforms/tr1")), ok: 200},
		{name: "transforms DELETE", resource: "transforms", need: "write", method: del, path: trDel, ok: 200,
			setup:  func(t *testing.T, c *opCtx) { c.ts.seedTransform("d"+c.n, 1) },
			landed: func(t *testing.T, c *opCtx) bool { return !exists(trDel)(t, c) }},
		{name: "jobs GET", resource: "jobs", need: "read", method: get, path: fixed(a("/transforms/tr1/jobs/job1")), ok: 200},
		{name: "jobs PUT", resource: "jobs", need: "write", method: put, path: jobPut, setup: outAsset, ok: 201,
			body:   func(c *opCtx) string { return jobBody(assetInput("asset1"), assetOutputs("o"+c.n)) },
			landed: exists(jobPut)},
		{name: "jobs cancelJob", resource: "jobs", need: "write", method: post, ok: 200,
			path: func(c *opCtx) string { return jobCancel(c) + "/cancelJob" },
			setup: func(t *testing.T, c *opCtx) {
				outAsset(t, c)
				c.ts.mustDo(put, jobCancel(c), jobBody(assetInput("asset1"), assetOutputs("o"+c.n)), http.StatusCreated)
			},
			landed: func(t *testing.T, c *opCtx) bool { return jobState(t, c) == defs.JobStateCanceled }},
		// eventSubscriptions (Microsoft.EventGrid extension resource)
		{name: "eventSubscriptions GET", resource: "eventSubscriptions", need: "read", method: get, path: fixed(subsPath + "/matrix-sub"), ok: 200},
		{name: "eventSubscriptions list", resource: "eventSubscriptions", need: "read", method: get, path: fixed(subsPath), ok: 200},
		{name: "eventSubscriptions getDeliveryAttributes", resource: "eventSubscriptions", need: "read", method: post,
			path: fixed(subsPath + "/matrix-sub/getDeliveryAttributes"), ok: 200},
		{name: "eventSubscriptions getFullUrl", resource: "eventSubscriptions", need: "write", method: post,
			path: fixed(subsPath + "/matrix-sub/getFullUrl"), ok: 200},
		{name: "eventSubscriptions PUT", resource: "eventSubscriptions", need: "write", method: put, path: esPut, body: fixed(eventSubscriptionBody), ok: 201,
			landed: func(t *testing.T, c *opCtx) bool {
				return c.ts.do(get, esPut(c), egAV, nil, "").Status == http.StatusOK
			}},
		{name: "eventSubscriptions DELETE", resource: "eventSubscriptions", need: "write", method: del, path: esPut, ok: 200,
			setup: func(t *testing.T, c *opCtx) { c.ts.do(put, esPut(c), egAV, nil, eventSubscriptionBody) },
			landed: func(t *testing.T, c *opCtx) bool {
				return c.ts.do(get, esPut(c), egAV, nil, "").Status == http.StatusNotFound
			}},

		// identity: service principals, their secrets and role assignments
		{name: "servicePrincipals list", resource: "servicePrincipals", need: "read", method: get, path: fixed(sps), ok: 200},
		{name: "servicePrincipals GET", resource: "servicePrincipals", need: "read", method: get,
			path: func(c *opCtx) string { return sps + "/" + c.id }, setup: newPrincipal, ok: 200},
		{name: "servicePrincipals create", resource: "servicePrincipals", need: "write", method: post, path: fixed(sps),
			body: func(c *opCtx) string { return `{"displayName":"created by ` + c.n + `"}` }, ok: 201,
			landed: func(t *testing.T, c *opCtx) bool {
				ps, _, err := c.ts.Identity.Svc.ListPrincipals(context.Background(), "", 1000)
				if err != nil {
					t.Fatal(err)
				}
				return slices.ContainsFunc(ps, func(p identity.Principal) bool { return p.DisplayName == "created by "+c.n })
			}},
		{name: "servicePrincipals add secret", resource: "servicePrincipals", need: "write", method: post,
			path: func(c *opCtx) string { return sps + "/" + c.id + "/secrets" }, body: fixed(`{}`), setup: newPrincipal, ok: 201,
			landed: func(t *testing.T, c *opCtx) bool { p, _ := principal(t, c); return len(p.Secrets) > 0 }},
		{name: "servicePrincipals DELETE", resource: "servicePrincipals", need: "write", method: del,
			path: func(c *opCtx) string { return sps + "/" + c.id }, setup: newPrincipal, ok: 200,
			landed: func(t *testing.T, c *opCtx) bool { _, ok := principal(t, c); return !ok }},
		{name: "roleAssignments list", resource: "roleAssignments", need: "read", method: get,
			path: func(c *opCtx) string { return sps + "/" + c.id + "/roleAssignments" }, setup: newPrincipal, ok: 200},
		{name: "roleAssignments create", resource: "roleAssignments", need: "write", method: post,
			path: func(c *opCtx) string { return sps + "/" + c.id + "/roleAssignments" }, setup: newPrincipal,
			body: fixed(`{"role":"Owner","scope":"*"}`), ok: 201,
			landed: func(t *testing.T, c *opCtx) bool {
				ras, err := c.ts.Identity.Svc.ListRoles(context.Background(), c.id)
				if err != nil {
					t.Fatal(err)
				}
				return len(ras) > 0
			}},
	}
}

// seedMatrix creates what the matrix operations read: seed's resources,
// an encrypted locator, an account filter and an asset filter.
func (ts *testServer) seedMatrix() {
	ts.tb.Helper()
	ts.seed()
	ts.mustDo(http.MethodPut, a("/streamingLocators/locEnc"), locatorBody(`"assetName":"asset1","streamingPolicyName":"spEnv"`), http.StatusCreated)
	ts.mustDo(http.MethodPut, a("/accountFilters/af1"), accountFilterBody, http.StatusCreated)
	ts.mustDo(http.MethodPut, a("/assets/asset1/assetFilters/f1"), accountFilterBody, http.StatusCreated)
	ts.seedTransform("tr1", 1)
	ts.mustDo(http.MethodPut, a("/assets/jobout1"), assetBody, http.StatusCreated)
	ts.mustDo(http.MethodPut, a("/transforms/tr1/jobs/job1"), jobBody(assetInput("asset1"), assetOutputs("jobout1")), http.StatusCreated)
	if r := ts.do(http.MethodPut, subsPath+"/matrix-sub", egAV, nil, eventSubscriptionBody); r.Status != http.StatusCreated {
		ts.tb.Fatalf("seed event subscription: %d %s", r.Status, r.Body)
	}
}

const eventSubscriptionBody = `{"properties":{"destination":{"endpointType":"WebHook","properties":{"endpointUrl":"https://hooks.example.com/in?code=x"}}}}`

// TestRBACMatrix runs one representative operation of every route family
// as every built-in role (assigned on "*") over HTTP: what ROLES.md allows
// succeeds and takes effect, anything else is 403 AuthorizationFailed and
// changes nothing.
func TestRBACMatrix(t *testing.T) {
	var roles []string
	for _, r := range auth.Roles() {
		roles = append(roles, string(r))
	}
	if !slices.Equal(roles, matrixRoles) {
		t.Fatalf("auth.Roles() = %q, the matrix covers %q: add the new role's column to docMatrix from ROLES.md", roles, matrixRoles)
	}
	ts := newTestServer(t)
	ts.seedMatrix()
	ops := matrixOps()

	t.Run("table matches ROLES.md", func(t *testing.T) { checkDocMatrix(t) })
	t.Run("every route family", func(t *testing.T) { checkFamiliesCovered(t, ts, ops) })

	tokens := map[string]string{}
	for _, role := range matrixRoles {
		_, _, tokens[role] = ts.newPrincipal(role, "*")
	}
	for oi, op := range ops {
		for ri, role := range matrixRoles {
			t.Run(op.name+"/"+role, func(t *testing.T) {
				c := &opCtx{ts: ts, n: fmt.Sprintf("o%dr%d", oi, ri)}
				if op.setup != nil {
					op.setup(t, c)
				}
				body := ""
				if op.body != nil {
					body = op.body(c)
				}
				path := op.path(c)
				query := av
				if strings.Contains(path, "/Microsoft.EventGrid/") {
					query = egAV // the Event Grid provider's versions
				}
				r := ts.do(op.method, path, query, map[string]string{"Authorization": "Bearer " + tokens[role]}, body)
				allowed := docAllows(t, role, op.resource, op.need)
				if allowed {
					if r.Status != op.ok {
						t.Errorf("%s %s as %s: status %d, want %d (ROLES.md: %s may %s %s); body: %s",
							op.method, path, role, r.Status, op.ok, role, op.need, op.resource, r.Body)
					}
				} else {
					e := checkError(t, r, http.StatusForbidden, "AuthorizationFailed")
					if !strings.Contains(e.Error.Message, op.resource) {
						t.Errorf("403 message %q does not name %s", e.Error.Message, op.resource)
					}
				}
				if op.landed != nil {
					if got := op.landed(t, c); got != allowed {
						t.Errorf("%s %s as %s: took effect %v, want %v", op.method, path, role, got, allowed)
					}
				}
			})
		}
	}
}

// checkDocMatrix compares docMatrix with the table in ROLES.md, so that a
// deliberate change of the roles updates both this test and the document.
func checkDocMatrix(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "auth", "ROLES.md"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	header := false
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		var cells []string
		for _, c := range strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|") {
			cells = append(cells, strings.TrimSpace(c))
		}
		if cells[0] == "Resource" {
			header = true
			if !slices.Equal(cells[1:], matrixRoles) {
				t.Errorf("ROLES.md columns %q, want %q", cells[1:], matrixRoles)
			}
			continue
		}
		row, ok := docMatrix[cells[0]]
		if !ok {
			continue // a resource type the API does not serve yet
		}
		seen[cells[0]] = true
		if !slices.Equal(cells[1:], row[:]) {
			t.Errorf("ROLES.md row %s is %q, docMatrix has %q", cells[0], cells[1:], row)
		}
	}
	if !header {
		t.Fatal("no matrix table in ROLES.md")
	}
	for res := range docMatrix {
		if !seen[res] {
			t.Errorf("ROLES.md has no row for %s", res)
		}
	}
}

// checkFamiliesCovered fails when the API serves a resource type the
// matrix does not exercise, or the matrix names one it has no table row
// for.
func checkFamiliesCovered(t *testing.T, ts *testServer, ops []matrixOp) {
	covered := map[string]bool{}
	for _, op := range ops {
		if _, ok := docMatrix[op.resource]; !ok {
			t.Errorf("operation %q: no docMatrix row for %s", op.name, op.resource)
		}
		covered[op.resource] = true
	}
	for res := range docMatrix {
		if !covered[res] {
			t.Errorf("no operation exercises %s", res)
		}
	}
	// Probe the collections auth knows for whether the API routes them.
	nested := map[string]string{"tracks": "/assets/asset1/", "assetFilters": "/assets/asset1/", "liveOutputs": "/liveEvents/le1/", "jobs": "/transforms/tr1/"}
	for _, res := range auth.Resources() {
		switch res {
		case auth.ResAccounts, auth.ResServicePrincipals, auth.ResRoleAssignments:
			continue // routed outside an account; covered above
		case auth.ResEventSubscriptions:
			// An extension resource: under providers/Microsoft.EventGrid,
			// with that provider's api-versions.
			if r := ts.do(http.MethodGet, subsPath, egAV, nil, ""); r.Status != http.StatusOK || !covered[res] {
				t.Errorf("GET %s answers %d; covered %v", subsPath, r.Status, covered[res])
			}
			continue
		}
		parent, ok := nested[res]
		if !ok {
			parent = "/"
		}
		r := ts.call(http.MethodGet, a(parent+res), "")
		var e armError
		_ = json.Unmarshal(r.Body, &e)
		unrouted := r.Status == http.StatusNotFound && e.Error.Code == "NotFound" &&
			(strings.HasPrefix(e.Error.Message, "Unknown resource collection") || strings.HasPrefix(e.Error.Message, "Unknown action or collection"))
		if !unrouted && !covered[res] {
			t.Errorf("GET %s answers %d: the API serves %s, which the matrix does not cover", a(parent+res), r.Status, res)
		}
		if unrouted && covered[res] {
			t.Errorf("the matrix covers %s, which the API does not route", res)
		}
	}
}

// TestRBACAccountScope: a role assigned on one account works there and is
// 403 on another; the same role on "*" works on both; an Owner of one
// account cannot manage principals (a global resource).
func TestRBACAccountScope(t *testing.T) {
	ts := newTestServer(t)
	acctB := "/subscriptions/" + testSub + "/resourceGroups/" + testRG + "/providers/Microsoft.Media/mediaservices/acctb"
	ts.mustDo(http.MethodPut, acctB, accountBody, http.StatusCreated)
	ts.mustDo(http.MethodPut, acctPath+"/assets/seeded", assetBody, http.StatusCreated)
	ts.mustDo(http.MethodPut, acctB+"/assets/seeded", assetBody, http.StatusCreated)
	listAccounts := "/subscriptions/" + testSub + "/providers/Microsoft.Media/mediaservices"

	type want struct{ a, b int } // status on account A (acctPath) and B
	tests := []struct {
		name      string
		roleScope []string
		getAsset  want
		putAsset  want
		getAcct   want
		listed    []string // account names the subscription listing shows
		sps       int      // GET servicePrincipals
	}{
		{name: "Contributor on A", roleScope: []string{"Contributor", acctPath},
			getAsset: want{200, 403}, putAsset: want{201, 403}, getAcct: want{200, 403}, listed: []string{testAccount}, sps: 403},
		{name: "Contributor on A, path in other casing", roleScope: []string{"contributor", strings.ToUpper(acctPath)},
			getAsset: want{200, 403}, putAsset: want{201, 403}, getAcct: want{200, 403}, listed: []string{testAccount}, sps: 403},
		{name: "Contributor on *", roleScope: []string{"Contributor", "*"},
			getAsset: want{200, 200}, putAsset: want{201, 201}, getAcct: want{200, 200}, listed: []string{testAccount, "acctb"}, sps: 403},
		{name: "Reader on * and Media Operator on A", roleScope: []string{"Reader", "*", "Media Operator", acctPath},
			getAsset: want{200, 200}, putAsset: want{201, 403}, getAcct: want{200, 200}, listed: []string{testAccount, "acctb"}, sps: 200},
		{name: "Owner on A", roleScope: []string{"Owner", acctPath},
			getAsset: want{200, 403}, putAsset: want{201, 403}, getAcct: want{200, 403}, listed: []string{testAccount}, sps: 403},
		{name: "Owner on B", roleScope: []string{"Owner", acctB},
			getAsset: want{403, 200}, putAsset: want{403, 201}, getAcct: want{403, 200}, listed: []string{"acctb"}, sps: 403},
		{name: "Owner on *", roleScope: []string{"Owner", "*"},
			getAsset: want{200, 200}, putAsset: want{201, 201}, getAcct: want{200, 200}, listed: []string{testAccount, "acctb"}, sps: 200},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, tok := ts.newPrincipal(tt.roleScope...)
			hdr := map[string]string{"Authorization": "Bearer " + tok}
			check := func(method, path, body string, wantStatus int) {
				t.Helper()
				r := ts.do(method, path, av, hdr, body)
				if wantStatus == http.StatusForbidden {
					checkError(t, r, http.StatusForbidden, "AuthorizationFailed")
				} else if r.Status != wantStatus {
					t.Errorf("%s %s: status %d, want %d; body: %s", method, path, r.Status, wantStatus, r.Body)
				}
				if method == http.MethodPut {
					g := ts.call(http.MethodGet, path, "") // as the bootstrap Owner
					if created := g.Status == http.StatusOK; created != (wantStatus == http.StatusCreated) {
						t.Errorf("after %s %s (status %d): GET as Owner = %d", method, path, r.Status, g.Status)
					}
				}
			}
			asset := fmt.Sprintf("/assets/scoped%d", i)
			for _, side := range []struct {
				path              string
				get, put, getAcct int
			}{{acctPath, tt.getAsset.a, tt.putAsset.a, tt.getAcct.a}, {acctB, tt.getAsset.b, tt.putAsset.b, tt.getAcct.b}} {
				check(http.MethodGet, side.path+"/assets/seeded", "", side.get)
				check(http.MethodPut, side.path+asset, assetBody, side.put)
				check(http.MethodGet, side.path, "", side.getAcct)
			}
			check(http.MethodGet, sps, "", tt.sps)

			r := ts.do(http.MethodGet, listAccounts, av, hdr, "")
			if r.Status != http.StatusOK {
				t.Fatalf("list accounts: status %d: %s", r.Status, r.Body)
			}
			var page struct {
				Value []struct {
					Name string `json:"name"`
				} `json:"value"`
			}
			if err := json.Unmarshal(r.Body, &page); err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, v := range page.Value {
				names = append(names, v.Name)
			}
			slices.Sort(names)
			want := slices.Clone(tt.listed)
			slices.Sort(want)
			if !slices.Equal(names, want) {
				t.Errorf("subscription listing shows %q, want %q", names, want)
			}
		})
	}
}

// TestRBACAudit: management writes are audited with the caller's client
// id and the outcome, allowed or denied; reads are not; no secret or token
// reaches the audit log or the server logs.
func TestRBACAudit(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	writerID, writerSecret, writerTok := ts.newPrincipal("Media Operator", "*")
	readerID, readerSecret, readerTok := ts.newPrincipal("Reader", "*")
	as := func(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

	allowedPath, deniedPath, readPath := a("/assets/audited"), a("/assets/auditdenied"), a("/assets/audited")
	if r := ts.do(http.MethodPut, allowedPath, av, as(writerTok), assetBody); r.Status != http.StatusCreated {
		t.Fatalf("allowed write: status %d: %s", r.Status, r.Body)
	}
	checkError(t, ts.do(http.MethodPut, deniedPath, av, as(readerTok), assetBody), http.StatusForbidden, "AuthorizationFailed")
	if r := ts.do(http.MethodGet, readPath, av, as(readerTok), ""); r.Status != http.StatusOK {
		t.Fatalf("read: status %d: %s", r.Status, r.Body)
	}
	// A token with a forged signature: refused before anyone is known.
	parts := strings.Split(writerTok, ".")
	forged := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
	checkError(t, ts.do(http.MethodDelete, allowedPath, av, as(forged), ""), http.StatusUnauthorized, "AuthenticationFailed")

	events, err := ts.Identity.Svc.ListAudit(ctx, time.Time{}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	find := func(principal, action, resource string) *identity.Event {
		for i := range events {
			e := &events[i]
			if e.Principal == principal && e.Action == action && e.Resource == resource {
				return e
			}
		}
		return nil
	}
	type wantEvent struct {
		what, principal, action, resource, outcome string
		status                                     int
	}
	for _, w := range []wantEvent{
		{"allowed write", writerID, "management/put", allowedPath, identity.OutcomeSuccess, http.StatusCreated},
		{"denied write", readerID, "management/put", deniedPath, identity.OutcomeFailure, http.StatusForbidden},
		{"unauthenticated write", "", "management/delete", allowedPath, identity.OutcomeFailure, http.StatusUnauthorized},
	} {
		e := find(w.principal, w.action, w.resource)
		if e == nil {
			t.Errorf("%s: no audit event for %q %s %s in %+v", w.what, w.principal, w.action, w.resource, events)
			continue
		}
		if e.Outcome != w.outcome || e.Status != w.status || e.Time.IsZero() {
			t.Errorf("%s: audit event %+v, want outcome %s, status %d and a time", w.what, e, w.outcome, w.status)
		}
	}
	for _, e := range events {
		if e.Action == "management/get" {
			t.Errorf("a read was audited: %+v", e)
		}
	}

	all, err := json.Marshal(events)
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{"writer secret": writerSecret, "reader secret": readerSecret, "bootstrap secret": ts.bootstrapSecret,
		"writer token signature": parts[2], "reader token": readerTok, "bootstrap token": strings.TrimPrefix(ts.bearer, "Bearer "),
		"forged token": forged}
	for where, text := range map[string]string{"audit log": string(all), "API server log": ts.log.String(), "identity log": ts.Identity.Logs()} {
		for what, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("the %s contains the %s", where, what)
			}
		}
	}
}
