package core

import (
	"context"
	"strings"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/events"
	"github.com/lockstream/lockstream/internal/store"
)

// jobEvents publishes the Event Grid events of one change of a job's
// document, in the transaction that makes it (jobs.Engine.OnChange,
// api.Server.JobChanged): output state changes and progress (on 5 %
// steps), then the job's state change, the final job event last.
func jobEvents(ctx context.Context, tx store.Tx, k store.Key, before, after *defs.JobProperties) error {
	i := strings.LastIndex(k.Scope, "/transforms/")
	parts := strings.Split(k.Scope[:max(i, 0)], "/")
	if i < 0 || len(parts) != 9 {
		return nil
	}
	acct := events.Account{Subscription: parts[2], ResourceGroup: parts[4], Name: parts[8]}
	if a, err := tx.Get(ctx, store.Key{Kind: store.KindAccount, Scope: strings.Join(parts[:5], "/"), Name: parts[8]}); err == nil {
		acct.Name = a.Name
	}
	transform := k.Scope[i+len("/transforms/"):]
	if tr, err := tx.Get(ctx, store.Key{Kind: store.KindTransform, Scope: k.Scope[:i], Name: transform}); err == nil {
		transform = tr.Name
	}
	snap := events.JobSnapshot{Account: acct, Transform: transform, Job: k.Name, CorrelationData: after.CorrelationData}
	for _, o := range after.Outputs {
		snap.Outputs = append(snap.Outputs, eventOutput(o))
	}
	var evs []events.Event
	for n, o := range after.Outputs {
		if n >= len(before.Outputs) {
			break
		}
		b := before.Outputs[n]
		switch {
		case b.State != o.State:
			evs = append(evs, events.JobOutputEvents(snap, snap.Outputs[n], events.State(b.State))...)
		case progress(o)/5 > progress(b)/5 || (progress(o) == 100 && progress(b) < 100):
			evs = append(evs, events.JobOutputProgress(snap, o.Label, progress(o)))
		}
	}
	if before.State != after.State {
		evs = append(evs, events.JobEvents(snap, events.State(before.State), events.State(after.State))...)
	}
	return events.Publish(ctx, tx, evs...)
}

func progress(o defs.JobOutput) int64 {
	if o.Progress == nil {
		return 0
	}
	return int64(*o.Progress)
}

func eventOutput(o defs.JobOutput) events.JobOutput {
	out := events.JobOutput{AssetName: o.AssetName, Label: o.Label, Progress: progress(o), State: events.State(o.State)}
	if e := o.Error; e != nil {
		out.Error = &events.JobError{Code: e.Code, Message: e.Message, Category: e.Category, Retry: e.Retry}
		for _, d := range e.Details {
			out.Error.Details = append(out.Error.Details, events.JobErrorDetail{Code: d.Code, Message: d.Message})
		}
	}
	return out
}
