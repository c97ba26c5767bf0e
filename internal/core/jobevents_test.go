package core

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/store"
	"github.com/lockstream/lockstream/internal/store/sqlite"
)

// TestJobEvents: job document changes become the AMS event sequence in
// the outbox, in the same transaction: output state events, progress on
// 5 % steps, the job's state change and its final event last.
func TestJobEvents(t *testing.T) {
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rg := "/subscriptions/s1/resourcegroups/rg"
	acct := store.Key{Kind: store.KindAccount, Scope: rg, Name: "Acct"}
	now := time.Now()
	tr := store.Key{Kind: store.KindTransform, Scope: acct.Path(), Name: "Ladder"}
	for _, k := range []store.Key{acct, tr} {
		if err := st.WithTx(t.Context(), func(tx store.Tx) error {
			return tx.Create(t.Context(), &store.Resource{Kind: k.Kind, Scope: k.Scope, Name: k.Name, Created: now, Modified: now, Doc: []byte(`{}`)}, nil)
		}); err != nil {
			t.Fatal(err)
		}
	}
	job := store.Key{Kind: store.KindJob, Scope: tr.Path(), Name: "Job1"}
	p := func(v int32) *int32 { return &v }
	doc := func(state defs.JobState, out defs.JobState, prog int32) *defs.JobProperties {
		return &defs.JobProperties{State: state, CorrelationData: map[string]string{"k": "v"},
			Outputs: []defs.JobOutput{{AssetName: "out", Label: "AdaptiveStreaming_0", State: out, Progress: p(prog)}}}
	}
	steps := [][2]*defs.JobProperties{
		{doc("Queued", "Queued", 0), doc("Scheduled", "Queued", 0)},
		{doc("Scheduled", "Queued", 0), doc("Processing", "Processing", 0)},
		{doc("Processing", "Processing", 0), doc("Processing", "Processing", 3)},
		{doc("Processing", "Processing", 3), doc("Processing", "Processing", 7)},
		{doc("Processing", "Processing", 7), doc("Finished", "Finished", 100)},
	}
	for _, s := range steps {
		if err := st.WithTx(t.Context(), func(tx store.Tx) error { return jobEvents(t.Context(), tx, job, s[0], s[1]) }); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	err = st.WithTx(t.Context(), func(tx store.Tx) error {
		evs, err := tx.PendingOutbox(t.Context(), 100)
		for _, e := range evs {
			got = append(got, strings.TrimPrefix(e.Type, "Microsoft.Media."))
			if e.Subject != "transforms/Ladder/jobs/Job1" || !strings.Contains(string(e.Body), `"k":"v"`) {
				t.Errorf("event %s: subject %q body %s", e.Type, e.Subject, e.Body)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "JobStateChange JobScheduled JobOutputStateChange JobOutputProcessing JobStateChange JobProcessing JobOutputProgress " +
		"JobOutputStateChange JobOutputFinished JobStateChange JobFinished"
	if strings.Join(got, " ") != want {
		t.Fatalf("events:\n got %s\nwant %s", strings.Join(got, " "), want)
	}
}
