package archtest

import (
	"os/exec"
	"strings"
	"testing"
)

const mod = "github.com/lockstream/lockstream/internal/"

// deps returns pkg's transitive imports (go list -deps, tests excluded).
func deps(t *testing.T, pkg string) map[string]bool {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", mod+pkg).CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
	}
	m := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		m[l] = true
	}
	return m
}

// TestImportGraph: the origin reads URL → locator → view → packager →
// protect → write and knows nothing of key delivery, policy evaluation or
// JOSE; keys is below the store; each output format stands alone (shared
// boxes come from cmaf).
func TestImportGraph(t *testing.T) {
	formats := []string{"packager/hls", "packager/dash", "packager/smooth"}
	for _, tc := range []struct {
		pkg       string
		forbidden []string
	}{
		{"origin", []string{mod + "keydelivery", mod + "policy", "github.com/go-jose/go-jose/v4", mod + "auth/claims"}},
		{"protect", []string{mod + "keydelivery", mod + "policy", mod + "origin", "github.com/go-jose/go-jose/v4"}},
		{"keys", []string{mod + "store"}},
		{"cmaf", []string{mod + "packager/hls", mod + "packager/dash", mod + "packager/smooth", mod + "cenc"}},
		{"packager/hls", []string{mod + "packager/dash", mod + "packager/smooth", mod + "protect"}},
		{"packager/dash", []string{mod + "packager/hls", mod + "packager/smooth", mod + "protect"}},
		{"packager/smooth", []string{mod + "packager/hls", mod + "packager/dash", mod + "protect"}},
	} {
		t.Run(tc.pkg, func(t *testing.T) {
			d := deps(t, tc.pkg)
			for _, f := range tc.forbidden {
				if d[f] {
					t.Errorf("%s imports %s", tc.pkg, f)
				}
			}
		})
	}
	// Every format builds on cmaf (hls for m3u8-cmaf).
	for _, f := range formats {
		if !deps(t, f)[mod+"cmaf"] {
			t.Errorf("%s does not use cmaf", f)
		}
	}
}
