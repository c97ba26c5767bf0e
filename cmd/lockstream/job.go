package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/core"
	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/jobs"
	"github.com/lockstream/lockstream/internal/store"
)

const jobUsage = `usage:
  lockstream job list [--state STATE] [config flags]            jobs of every account, with progress bars
  lockstream job show TRANSFORM JOB [--account NAME] [config flags]
  lockstream job cancel TRANSFORM JOB [--account NAME] [config flags]
STATE is Queued, Scheduled, Processing, Finished, Error, Canceling or Canceled.`

// jobCmd runs the job commands against the configured store.
func jobCmd(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var pos, rest []string
	var account, state string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		key, val, hasVal := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		switch {
		case !strings.HasPrefix(arg, "-") && len(rest) == 0:
			pos = append(pos, arg)
			continue
		case key == "account" || key == "state":
			if !hasVal {
				if i+1 >= len(args) {
					fmt.Fprintf(stderr, "lockstream job: --%s needs a value\n%s\n", key, jobUsage)
					return 2
				}
				i++
				val = args[i]
			}
			if key == "account" {
				account = val
			} else {
				state = val
			}
			continue
		}
		rest = append(rest, arg)
	}
	want := map[string]int{"list": 1, "show": 3, "cancel": 3}
	if len(pos) == 0 || want[pos[0]] != len(pos) {
		fmt.Fprintln(stderr, jobUsage)
		return 2
	}
	if state != "" {
		switch s := defs.JobState(state); s {
		case defs.JobStateQueued, defs.JobStateScheduled, defs.JobStateProcessing, defs.JobStateFinished, defs.JobStateError, defs.JobStateCanceling, defs.JobStateCanceled:
		default:
			fmt.Fprintf(stderr, "lockstream job: unknown state %q\n%s\n", state, jobUsage)
			return 2
		}
	}
	c, code, ok := load("lockstream job", rest, getenv, stderr)
	if !ok {
		return code
	}
	ctx := context.Background()
	st, err := core.OpenStore(ctx, c)
	if err != nil {
		fmt.Fprintln(stderr, "lockstream:", err)
		return 1
	}
	defer st.Close()
	switch pos[0] {
	case "list":
		all, err := jobs.List(ctx, st, defs.JobState(state))
		if err != nil {
			fmt.Fprintln(stderr, "lockstream job:", err)
			return 1
		}
		printJobs(stdout, all)
		return 0
	case "show":
		j, err := jobs.Find(ctx, st, account, pos[1], pos[2])
		if err != nil {
			return report(stdout, stderr, "lockstream job", nil, err)
		}
		return report(stdout, stderr, "lockstream job", map[string]any{"account": j.Account, "transform": j.Transform, "name": j.Name, "properties": j.Props}, nil)
	}
	j, err := jobs.Find(ctx, st, account, pos[1], pos[2])
	if err != nil {
		return report(stdout, stderr, "lockstream job", nil, err)
	}
	var after defs.JobState
	err = st.WithTx(ctx, func(tx store.Tx) (err error) {
		after, err = jobs.CancelTx(ctx, tx, j.Key, time.Now().UTC(), nil)
		return err
	})
	return report(stdout, stderr, "lockstream job", map[string]string{"account": j.Account, "transform": j.Transform, "name": j.Name, "state": string(after)}, err)
}

// printJobs writes one line per job and, for unfinished ones, a progress
// bar per output.
func printJobs(w io.Writer, all []jobs.Job) {
	if len(all) == 0 {
		fmt.Fprintln(w, "no jobs")
		return
	}
	for _, j := range all {
		fmt.Fprintf(w, "%s/%s/%s\t%s\n", j.Account, j.Transform, j.Name, j.Props.State)
		for _, o := range j.Props.Outputs {
			var p int32
			if o.Progress != nil {
				p = *o.Progress
			}
			line := fmt.Sprintf("  %-24s %-11s %s", o.AssetName, o.State, jobs.Bar(p, 30))
			if o.Error != nil {
				line += "  " + o.Error.Code + ": " + o.Error.Message
			}
			fmt.Fprintln(w, line)
		}
	}
}
