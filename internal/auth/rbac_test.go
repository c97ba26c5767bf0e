package auth_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/auth"
)

const (
	acct      = "/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/rg/providers/microsoft.media/mediaservices/acct"
	otherAcct = "/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/rg/providers/microsoft.media/mediaservices/other"
)

// expected is the matrix written out independently of rbac.go: "W" write,
// "R" read, "" nothing. Columns follow auth.Roles().
var expected = map[string][7]string{
	//                      Owner Contrib Reader AcctAdm MediaOp PolicyAdm SEAdm
	"mediaservices":      {"W", "W", "R", "W", "R", "R", "R"},
	"assets":             {"W", "W", "R", "R", "W", "", ""},
	"assetFilters":       {"W", "W", "R", "R", "W", "", ""},
	"tracks":             {"W", "W", "R", "R", "W", "", ""},
	"accountFilters":     {"W", "W", "R", "R", "W", "", ""},
	"contentKeyPolicies": {"W", "W", "R", "R", "", "W", ""},
	"streamingPolicies":  {"W", "W", "R", "R", "R", "W", ""},
	"streamingLocators":  {"W", "W", "R", "R", "W", "R", ""},
	"streamingEndpoints": {"W", "W", "R", "R", "R", "", "W"},
	"transforms":         {"W", "W", "R", "R", "W", "", ""},
	"jobs":               {"W", "W", "R", "R", "W", "", ""},
	"liveEvents":         {"W", "W", "R", "R", "", "", ""},
	"liveOutputs":        {"W", "W", "R", "R", "", "", ""},
	"servicePrincipals":  {"W", "", "R", "", "", "", ""},
	"roleAssignments":    {"W", "", "R", "", "", "", ""},
	"licenseServers":     {"W", "W", "R", "R", "", "W", ""},
	"eventSubscriptions": {"W", "W", "R", "R", "W", "", ""},
	"keyProviders":       {"W", "W", "R", "R", "", "W", ""},
}

// actions and the level each needs.
var actions = map[auth.Action]string{
	auth.Read: "R", auth.Write: "W", auth.Delete: "W",
	"listPaths": "R", "listStreamingLocators": "R", "skus": "R", "checkNameAvailability": "R",
	"listContentKeys": "W", "getPolicyPropertiesWithSecrets": "W", "listContainerSas": "W", "getEncryptionKey": "W",
	"getDeliveryAttributes": "R", "getFullUrl": "W",
	"start": "W", "stop": "W", "scale": "W", "cancelJob": "W", "syncStorageKeys": "W",
	"someFutureAction": "W", // unknown actions need write
}

func grants(have, need string) bool {
	return have == "W" || have == "R" && need == "R"
}

func TestAllowedMatrix(t *testing.T) {
	if got := auth.Resources(); len(got) != len(expected) {
		t.Fatalf("auth.Resources() has %d entries, test table %d", len(got), len(expected))
	}
	global := map[string]bool{"servicePrincipals": true, "roleAssignments": true}
	for i, role := range auth.Roles() {
		for _, res := range auth.Resources() {
			row, ok := expected[res]
			if !ok {
				t.Fatalf("resource %s missing from the test table", res)
			}
			for action, need := range actions {
				want := grants(row[i], need)
				all := auth.Principal{Roles: []auth.RoleAssignment{{Role: role, Scope: auth.ScopeAll}}}
				one := auth.Principal{Roles: []auth.RoleAssignment{{Role: role, Scope: acct}}}
				path := acct
				if global[res] {
					path = ""
				}
				if got := auth.Allowed(all, path, res, action); got != want {
					t.Errorf("%s on *: %s %s = %v, want %v", role, res, action, got, want)
				}
				// An account-scoped assignment covers its account (any
				// casing), never another account or a global resource.
				wantOne := want && !global[res]
				if got := auth.Allowed(one, strings.ToUpper(acct)+"/", res, action); got != wantOne {
					t.Errorf("%s on account: %s %s = %v, want %v", role, res, action, got, wantOne)
				}
				if auth.Allowed(one, otherAcct, res, action) {
					t.Errorf("%s on account: %s %s allowed on another account", role, res, action)
				}
			}
		}
	}
}

func TestAllowedEdges(t *testing.T) {
	owner := auth.Principal{Owner: true}
	reader := auth.Principal{Roles: []auth.RoleAssignment{{Role: auth.RoleReader, Scope: acct}}}
	both := auth.Principal{Roles: []auth.RoleAssignment{
		{Role: auth.RoleReader, Scope: auth.ScopeAll},
		{Role: auth.RoleMediaOperator, Scope: acct},
	}}
	tests := []struct {
		name string
		p    auth.Principal
		path string
		res  string
		a    auth.Action
		want bool
	}{
		{"static owner may do anything known", owner, acct, "streamingLocators", "listContentKeys", true},
		{"static owner manages identity", owner, "", "roleAssignments", auth.Write, true},
		{"unknown resource denied even to owner", owner, acct, "liveWidgets", auth.Read, false},
		{"empty action denied", owner, acct, "assets", "", false},
		{"no roles", auth.Principal{ID: "x"}, acct, "assets", auth.Read, false},
		{"account role needs an account", reader, "", "assets", auth.Read, false},
		{"unknown role grants nothing", auth.Principal{Roles: []auth.RoleAssignment{{Role: "Superuser", Scope: "*"}}}, acct, "assets", auth.Read, false},
		{"assignments add up", both, acct, "assets", auth.Write, true},
		{"assignments add up only where scoped", both, otherAcct, "assets", auth.Write, false},
		{"reader cannot reveal secrets", reader, acct, "contentKeyPolicies", "getPolicyPropertiesWithSecrets", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := auth.Allowed(tt.p, tt.path, tt.res, tt.a); got != tt.want {
				t.Errorf("Allowed = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSecretActionsNeedWrite(t *testing.T) {
	p := auth.Principal{Roles: []auth.RoleAssignment{{Role: auth.RoleReader, Scope: auth.ScopeAll}}}
	for _, a := range auth.SecretActions {
		for _, res := range auth.Resources() {
			if auth.Allowed(p, acct, res, a) {
				t.Errorf("Reader may %s on %s", a, res)
			}
		}
	}
}

// TestRolesDocMatchesCode keeps the matrix in ROLES.md equal to the code.
func TestRolesDocMatchesCode(t *testing.T) {
	b, err := os.ReadFile("ROLES.md")
	if err != nil {
		t.Fatal(err)
	}
	var header []string
	rows := 0
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "| ") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		if cells[0] == "Resource" {
			header = cells[1:]
			want := make([]string, 0, len(auth.Roles()))
			for _, r := range auth.Roles() {
				want = append(want, string(r))
			}
			if !slices.Equal(header, want) {
				t.Fatalf("ROLES.md columns %q, want %q", header, want)
			}
			continue
		}
		rows++
		res := cells[0]
		for i, cell := range cells[1:] {
			p := auth.Principal{Roles: []auth.RoleAssignment{{Role: auth.Role(header[i]), Scope: auth.ScopeAll}}}
			path := acct
			if res == "servicePrincipals" || res == "roleAssignments" {
				path = ""
			}
			got := "—"
			if auth.Allowed(p, path, res, auth.Write) {
				got = "write"
			} else if auth.Allowed(p, path, res, auth.Read) {
				got = "read"
			}
			if got != cell {
				t.Errorf("ROLES.md says %s on %s is %q, code says %q", header[i], res, cell, got)
			}
		}
	}
	if rows != len(auth.Resources()) {
		t.Errorf("ROLES.md has %d resource rows, code %d", rows, len(auth.Resources()))
	}
}

func TestParseScopeAndRole(t *testing.T) {
	for in, want := range map[string]string{
		"*": "*",
		"/subscriptions/S/resourceGroups/RG/providers/Microsoft.Media/mediaservices/Acct/": "/subscriptions/s/resourcegroups/rg/providers/microsoft.media/mediaservices/acct",
	} {
		if got, err := auth.ParseScope(in); err != nil || got != want {
			t.Errorf("ParseScope(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "/", "**", "/subscriptions/s/resourcegroups/rg",
		"/subscriptions/s/resourcegroups/rg/providers/microsoft.media/mediaservices/a/assets/x",
		"/subscriptions//resourcegroups/rg/providers/microsoft.media/mediaservices/a",
		"/subscriptions/s/resourcegroups/rg/providers/microsoft.storage/mediaservices/a"} {
		if _, err := auth.ParseScope(bad); err == nil {
			t.Errorf("ParseScope(%q) accepted", bad)
		}
	}
	if r, err := auth.ParseRole(" media operator "); err != nil || r != auth.RoleMediaOperator {
		t.Errorf("ParseRole = %q, %v", r, err)
	}
	if _, err := auth.ParseRole("Root"); err == nil {
		t.Error("ParseRole(Root) accepted")
	}
}
