package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/store"
	"github.com/lockstream/lockstream/internal/store/sqlite"
)

// seedJob stores a job as the API would, in the store of data dir dir.
func seedJob(t *testing.T, dir, account, name string, state defs.JobState, progress int32) {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(dir, "lockstream.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	scope := "/subscriptions/s/resourcegroups/rg/providers/microsoft.media/mediaservices/" + account + "/transforms/ladder"
	now := time.Now().UTC()
	d := defs.JobProperties{State: state, Created: defs.NewTime(now), Outputs: []defs.JobOutput{{ODataType: defs.ODataTypeJobOutputAsset, AssetName: "out-" + name, State: state, Progress: &progress}},
		Input: &defs.JobInput{ODataType: defs.ODataTypeJobInputAsset, AssetName: "in"}}
	doc, _ := json.Marshal(d)
	err = st.WithTx(t.Context(), func(tx store.Tx) error {
		if err := tx.Create(t.Context(), &store.Resource{Kind: store.KindJob, Scope: scope, Name: name, Created: now, Modified: now, Doc: doc}, nil); err != nil {
			return err
		}
		return tx.EnqueueJob(t.Context(), store.QueuedJob{Scope: scope, Name: name, Created: now})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestJobCommands(t *testing.T) {
	dir := t.TempDir()
	cli(t, dir, 0, "job", "list") // creates the store
	seedJob(t, dir, "acct1", "running", defs.JobStateProcessing, 40)
	seedJob(t, dir, "acct1", "waiting", defs.JobStateQueued, 0)
	seedJob(t, dir, "acct2", "waiting", defs.JobStateQueued, 0)

	out := string(cli(t, dir, 0, "job", "list"))
	for _, want := range []string{"acct1/ladder/running\tProcessing", "out-running", "[############..................]  40%", "acct2/ladder/waiting\tQueued"} {
		if !strings.Contains(out, want) {
			t.Errorf("job list lacks %q:\n%s", want, out)
		}
	}
	if out := string(cli(t, dir, 0, "job", "list", "--state", "Processing")); strings.Contains(out, "waiting") || !strings.Contains(out, "running") {
		t.Errorf("job list --state Processing:\n%s", out)
	}
	var shown struct {
		Account    string
		Properties defs.JobProperties
	}
	if err := json.Unmarshal(cli(t, dir, 0, "job", "show", "Ladder", "RUNNING"), &shown); err != nil || shown.Account != "acct1" || shown.Properties.State != defs.JobStateProcessing {
		t.Fatalf("job show: %+v %v", shown, err)
	}
	// A name in two accounts needs --account; mistakes exit 2, refusals 1.
	cli(t, dir, 1, "job", "cancel", "ladder", "waiting")
	cli(t, dir, 1, "job", "show", "ladder", "nope")
	cli(t, dir, 2, "job", "cancel", "ladder")
	cli(t, dir, 2, "job", "list", "--state", "Done")
	var canceled struct{ State string }
	if err := json.Unmarshal(cli(t, dir, 0, "job", "cancel", "ladder", "waiting", "--account", "acct2"), &canceled); err != nil || canceled.State != "Canceled" {
		t.Fatalf("cancel: %+v %v", canceled, err)
	}
	if out := string(cli(t, dir, 0, "job", "list", "--state", "Canceled")); !strings.Contains(out, "acct2/ladder/waiting\tCanceled") || strings.Contains(out, "acct1") {
		t.Errorf("after cancel:\n%s", out)
	}
}
