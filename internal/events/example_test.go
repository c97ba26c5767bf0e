package events_test

import (
	"context"

	"github.com/lockstream/lockstream/internal/events"
	"github.com/lockstream/lockstream/internal/store"
)

// How the job engine publishes a job's move from Processing to Finished:
// in the transaction that stores the new state, every event AMS fires for
// it (the output's JobOutputStateChange and JobOutputFinished, then the
// job's JobStateChange and JobFinished, the final job event last).
func Example_jobFinished() {
	var st store.Store // the node's store
	ctx := context.Background()
	snap := events.JobSnapshot{
		Account:         events.Account{Subscription: "00000000-0000-0000-0000-000000000000", ResourceGroup: "rg1", Name: "acct1"},
		Transform:       "AdaptiveStreamingTransform",
		Job:             "job-42",
		CorrelationData: map[string]string{"tenant": "t1"},
		Outputs:         []events.JobOutput{{AssetName: "out-42", Label: "AdaptiveStreaming_0", Progress: 100, State: events.StateFinished}},
	}
	_ = st.WithTx(ctx, func(tx store.Tx) error {
		// … store the job's new state with tx …
		evs := events.JobOutputEvents(snap, snap.Outputs[0], events.StateProcessing)
		evs = append(evs, events.JobEvents(snap, events.StateProcessing, events.StateFinished)...)
		return events.Publish(ctx, tx, evs...)
	})
	// Then, optionally, wake the local engine: engine.Kick().
}
