package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/core"
)

// TestEventsCommands subscribes, lists, replays and deletes through the
// CLI, which stores exactly what the API would.
func TestEventsCommands(t *testing.T) {
	dir := t.TempDir()
	const acct = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Media/mediaservices/acct1"
	c := conf.Default()
	c.DataDir = dir
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	h, _, closeFn, err := core.OpenLocalAPI(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPut, acct+"?api-version=2022-08-01", strings.NewReader(`{"location":"local","properties":{}}`))
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(w, req)
	closeFn()
	if w.Code != http.StatusCreated {
		t.Fatalf("create account: %d %s", w.Code, w.Body)
	}

	out := cli(t, dir, 0, "events", "subscribe", acct, "jobs-hook", "--url", "https://hooks.example.com/in?code=secret",
		"--types", "Microsoft.Media.JobFinished,Microsoft.Media.JobErrored", "--schema", "CloudEventSchemaV1_0", "--max-attempts", "5",
		"--dead-letter-container", "dead-events")
	var sub struct {
		Name       string
		Properties struct {
			ProvisioningState   string
			EventDeliverySchema string
			Destination         struct{ Properties map[string]any }
			Filter              struct{ IncludedEventTypes []string }
			RetryPolicy         struct{ MaxDeliveryAttempts int }
		}
	}
	if err := json.Unmarshal(out, &sub); err != nil {
		t.Fatal(err)
	}
	p := sub.Properties
	if sub.Name != "jobs-hook" || p.ProvisioningState != "Creating" || p.EventDeliverySchema != "CloudEventSchemaV1_0" ||
		len(p.Filter.IncludedEventTypes) != 2 || p.RetryPolicy.MaxDeliveryAttempts != 5 || p.Destination.Properties["endpointBaseUrl"] != "https://hooks.example.com/in" {
		t.Fatalf("subscribe: %s", out)
	}
	if strings.Contains(string(out), "code=secret") {
		t.Fatalf("subscribe printed the endpoint's query: %s", out)
	}
	if !strings.Contains(string(cli(t, dir, 0, "events", "list", acct)), `"jobs-hook"`) {
		t.Fatal("list lacks the subscription")
	}
	if !strings.Contains(string(cli(t, dir, 0, "events", "replay", acct, "jobs-hook")), `"replayed": 0`) {
		t.Fatal("replay")
	}
	cli(t, dir, 2, "events", "subscribe", acct, "no-url")
	cli(t, dir, 1, "events", "subscribe", acct, "bad-url", "--url", "ftp://x/")
	cli(t, dir, 1, "events", "replay", acct, "missing")
	cli(t, dir, 0, "events", "delete", acct, "jobs-hook")
	if strings.Contains(string(cli(t, dir, 0, "events", "list", acct)), `"jobs-hook"`) {
		t.Fatal("list after delete")
	}
}
