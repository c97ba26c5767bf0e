package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/store"
)

// Job is a stored job with where it lives, for listings and tools.
type Job struct {
	Account   string // account name (lower case, as scopes are)
	Transform string // transform name (lower case)
	Name      string
	Key       store.Key
	Props     defs.JobProperties
}

// Place splits a job's scope into account and transform names.
func Place(scope string) (account, transform string, ok bool) {
	const acctSeg, trSeg = "/mediaservices/", "/transforms/"
	i, j := strings.LastIndex(scope, acctSeg), strings.LastIndex(scope, trSeg)
	if i < 0 || j < i {
		return "", "", false
	}
	return scope[i+len(acctSeg) : j], scope[j+len(trSeg):], true
}

// List returns every job in the store (all accounts), optionally only
// those in state, ordered by account, transform and name.
func List(ctx context.Context, r store.Reader, state defs.JobState) ([]Job, error) {
	q := store.ListQuery{Kind: store.KindJob, Scope: "/subscriptions", ScopePrefix: true, Limit: 500}
	if state != "" {
		q.Filter = &store.Cond{Field: store.Field{Col: store.ColDoc, Path: "state", Type: store.TypeString}, Op: store.OpEq, Value: string(state)}
	}
	var out []Job
	for {
		page, err := r.List(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("list jobs: %w", err)
		}
		for _, res := range page {
			j, err := toJob(res)
			if err != nil {
				return nil, err
			}
			out = append(out, *j)
		}
		if len(page) < q.Limit {
			break
		}
		cur := store.CursorOf(page[len(page)-1], nil)
		q.After = &cur
	}
	sortJobs(out)
	return out, nil
}

func sortJobs(js []Job) {
	less := func(a, b Job) bool {
		if a.Account != b.Account {
			return a.Account < b.Account
		}
		if a.Transform != b.Transform {
			return a.Transform < b.Transform
		}
		return strings.ToLower(a.Name) < strings.ToLower(b.Name)
	}
	for i := 1; i < len(js); i++ {
		for k := i; k > 0 && less(js[k], js[k-1]); k-- {
			js[k], js[k-1] = js[k-1], js[k]
		}
	}
}

func toJob(r *store.Resource) (*Job, error) {
	var d defs.JobProperties
	if err := json.Unmarshal(r.Doc, &d); err != nil {
		return nil, fmt.Errorf("decode job %q: %w", r.Name, err)
	}
	acct, tr, _ := Place(r.Scope)
	return &Job{Account: acct, Transform: tr, Name: r.Name, Key: r.Key(), Props: d}, nil
}

// ErrAmbiguous reports a job name found in several accounts.
var ErrAmbiguous = errors.New("jobs: several jobs match; name the account")

// Find returns the job named name in transform, in account (any account
// when empty); store.ErrNotFound when there is none.
func Find(ctx context.Context, r store.Reader, account, transform, name string) (*Job, error) {
	all, err := List(ctx, r, "")
	if err != nil {
		return nil, err
	}
	var found []Job
	for _, j := range all {
		if strings.EqualFold(j.Transform, transform) && strings.EqualFold(j.Name, name) && (account == "" || strings.EqualFold(j.Account, account)) {
			found = append(found, j)
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("job %s/%s: %w", transform, name, store.ErrNotFound)
	case 1:
		return &found[0], nil
	}
	accts := make([]string, len(found))
	for i, j := range found {
		accts[i] = j.Account
	}
	return nil, fmt.Errorf("%w (accounts %s)", ErrAmbiguous, strings.Join(accts, ", "))
}

// CancelTx cancels a job inside tx, as cancelJob does: a job no worker
// holds (waiting, or its worker died) is Canceled at once and leaves the
// queue; a running one becomes
// Canceling and its worker stops the encoder and marks it Canceled. A job
// already final or canceling is left alone. It returns the job's state
// afterwards; store.ErrNotFound when the job does not exist. onChange
// (optional) sees the change inside tx, as Engine.OnChange does.
func CancelTx(ctx context.Context, tx store.Tx, k store.Key, now time.Time, onChange ChangeFunc) (defs.JobState, error) {
	r, err := tx.Get(ctx, k)
	if err != nil {
		return "", err
	}
	var d defs.JobProperties
	if err := json.Unmarshal(r.Doc, &d); err != nil {
		return "", fmt.Errorf("decode job: %w", err)
	}
	if d.State.Final() || d.State == defs.JobStateCanceling {
		return d.State, nil
	}
	before := d
	before.Outputs = slices.Clone(d.Outputs)
	leased, err := tx.CancelQueuedJob(ctx, r.Scope, r.Name, now)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	if leased {
		d.State, d.LastModified = defs.JobStateCanceling, defs.NewTime(now)
		for i := range d.Outputs {
			if o := &d.Outputs[i]; !o.State.Final() {
				o.State = defs.JobStateCanceling
			}
		}
	} else {
		markAll(&d, defs.JobStateCanceled, now)
		d.LastModified = defs.NewTime(now)
	}
	if onChange != nil {
		if err := onChange(ctx, tx, k, &before, &d); err != nil {
			return "", err
		}
	}
	if r.Doc, err = json.Marshal(&d); err != nil {
		return "", fmt.Errorf("encode job: %w", err)
	}
	r.Modified = now
	if err := tx.Replace(ctx, r, nil); err != nil {
		return "", err
	}
	return d.State, nil
}

// Bar renders progress (0–100) as a text bar of width cells.
func Bar(progress int32, width int) string {
	p := min(max(int(progress), 0), 100)
	full := p * width / 100
	return "[" + strings.Repeat("#", full) + strings.Repeat(".", width-full) + fmt.Sprintf("] %3d%%", p)
}
