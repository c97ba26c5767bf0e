package player

import (
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestAccountPathAcceptsBannerURL runs the page's own accountPath (taken
// from static/player.js) in Node: the account box accepts the account as
// the node's banner prints it — a full URL — as well as the bare ARM path,
// and still refuses anything else.
func TestAccountPathAcceptsBannerURL(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("node (Node.js) is not on PATH")
		}
		t.Skip("node (Node.js) is not on PATH")
	}
	src, err := os.ReadFile("static/player.js")
	if err != nil {
		t.Fatal(err)
	}
	fn := regexp.MustCompile(`(?s)\n  function accountPath\(\) \{.*?\n  \}\n`).Find(src)
	if fn == nil {
		t.Fatal("accountPath not found in player.js")
	}
	const acct = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/demo/providers/Microsoft.Media/mediaServices/demo"
	inputs := []string{
		"http://127.0.0.1:8080" + acct, // as the banner prints it
		"https://media.example.com" + acct + "/",
		"  " + acct + " ",
		"http://127.0.0.1:8080/player",
		"not a path",
	}
	in, _ := json.Marshal(inputs)
	script := "let value = '';\nconst $ = () => ({ value });\n" + string(fn) + `
const out = [];
for (const v of ` + string(in) + `) {
  value = v;
  try { out.push(accountPath()); } catch (e) { out.push('error'); }
}
console.log(JSON.stringify(out));
`
	cmd := exec.Command(node, "-e", script)
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, b)
	}
	var got []string
	if err := json.Unmarshal([]byte(strings.TrimSpace(string(b))), &got); err != nil {
		t.Fatalf("node output %s: %v", b, err)
	}
	want := []string{acct, acct, acct, "error", "error"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("accountPath over %q = %q, want %q", inputs, got, want)
	}
}
