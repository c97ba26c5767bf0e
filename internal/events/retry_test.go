package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/events"
	"github.com/lockstream/lockstream/internal/store"
)

// publish writes n job progress events straight through the publishing
// contract, in one transaction (as the job engine will).
func publish(t *testing.T, st store.Store, n int) []string {
	t.Helper()
	job := events.JobSnapshot{Account: events.Account{Subscription: testSub, ResourceGroup: testRG, Name: testAccount},
		Transform: "t1", Job: "j1", CorrelationData: map[string]string{"k": "v"}}
	var ids []string
	err := st.WithTx(t.Context(), func(tx store.Tx) error {
		ids = ids[:0]
		evs := make([]events.Event, n)
		for i := range evs {
			evs[i] = events.JobOutputProgress(job, "out", int64(i))
			evs[i].ID = "00000000-0000-4000-8000-" + strings.Repeat("0", 12-len(strconv.Itoa(i))) + strconv.Itoa(i)
			ids = append(ids, evs[i].ID)
		}
		return events.Publish(t.Context(), tx, evs...)
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(ids)
	return ids
}

func ids(evs []map[string]any) []string {
	var out []string
	for _, ev := range evs {
		out = append(out, ev["id"].(string))
	}
	slices.Sort(out)
	return out
}

// TestRetryWithBackoff: the receiver answers 500, then 503, then 429,
// then accepts: every event arrives, the delivery count grows, the waits
// follow the (scaled) schedule, and the failures show in the status.
func TestRetryWithBackoff(t *testing.T) {
	e := newEnv(t, openSQLite(t))
	rc := newReceiver(t)
	var failures atomic.Int64
	rc.respond = func(r *http.Request, n int) int {
		switch failures.Add(1) {
		case 1:
			return 500
		case 2:
			return 503
		case 3:
			return 429
		}
		return 200
	}
	e.subscribe("retry", rc.URL(), "")
	want := publish(t, e.Store, 1)
	got := rc.waitEvents(events.TypeJobOutputProgress, 1)
	if !slices.Equal(ids(got), want) {
		t.Fatalf("got %v, want %v", ids(got), want)
	}
	var attempts []received
	for _, r := range rc.Requests() {
		if r.Header.Get("aeg-event-type") == "Notification" {
			attempts = append(attempts, r)
		}
	}
	if len(attempts) != 4 {
		t.Fatalf("%d attempts, want 4", len(attempts))
	}
	for i, a := range attempts {
		if c := a.Header.Get("aeg-delivery-count"); c != strconv.Itoa(i) {
			t.Fatalf("attempt %d: aeg-delivery-count %s", i, c)
		}
		if i > 0 {
			// Never earlier than the schedule minus its jitter.
			min := time.Duration(float64(testSchedule[i-1]) * 0.8)
			if gap := a.At.Sub(attempts[i-1].At); gap < min {
				t.Fatalf("retry %d after %v, schedule says at least %v", i, gap, min)
			}
		}
	}
	// The receiver has the event before the engine settles it.
	waitFor(t, "settlement", func() bool { return e.getSubscription("retry").Properties.LockstreamStatus.DeliveredEvents == 1 })
	st := e.getSubscription("retry").Properties.LockstreamStatus
	if st.FailedAttempts != 3 || st.DeliveredEvents != 1 || st.PendingEvents != 0 {
		t.Fatalf("status: %+v", st)
	}
}

// deadLetters reads every dead-letter blob of a container.
func deadLetters(t *testing.T, e *env, container string) []map[string]any {
	t.Helper()
	infos, err := e.Blob.List(t.Context(), container, "")
	if errors.Is(err, blob.ErrNotFound) {
		return nil // not created before the first dead letter
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, in := range infos {
		rd, err := e.Blob.ReadRange(t.Context(), container, in.Name, 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rd)
		rd.Close()
		var evs []map[string]any
		if err := json.Unmarshal(b, &evs); err != nil || len(evs) != 1 {
			t.Fatalf("dead-letter blob %s: %s", in.Name, b)
		}
		if !strings.HasPrefix(in.Name, strings.ToUpper(testAccount)+"/") {
			t.Fatalf("dead-letter blob name %s", in.Name)
		}
		out = append(out, evs[0])
	}
	return out
}

// TestDeadLetter: after maxDeliveryAttempts, past the time-to-live, and
// at once on a 400, events are dead-lettered into the container with
// Event Grid's reason fields; replay sends them again.
func TestDeadLetter(t *testing.T) {
	e := newEnv(t, openSQLite(t))
	down := newReceiver(t)
	var healthy atomic.Bool
	down.respond = func(*http.Request, int) int {
		if healthy.Load() {
			return 200
		}
		return 503
	}
	dl := `"deadLetterDestination":{"endpointType":"StorageBlob","properties":{"resourceId":"/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/lockstream","blobContainerName":"deadletters"}}`
	e.subscribe("attempts", down.URL(), `"retryPolicy":{"maxDeliveryAttempts":3},`+dl)
	want := publish(t, e.Store, 2)
	// The blob is written before the delivery is settled dead.
	waitFor(t, "dead-lettering", func() bool { return e.getSubscription("attempts").Properties.LockstreamStatus.DeadLetteredEvents == 2 })
	dead := deadLetters(t, e, "deadletters")
	for _, ev := range dead {
		if ev["deadLetterReason"] != events.ReasonMaxAttempts || ev["deliveryAttempts"] != float64(3) ||
			ev["lastDeliveryOutcome"] != "Busy" || ev["lastHttpStatusCode"] != float64(503) || ev["publishTime"] == nil ||
			ev["lastDeliveryAttemptTime"] == nil || ev["eventType"] != events.TypeJobOutputProgress {
			t.Fatalf("dead-lettered event: %v", ev)
		}
	}
	if got := ids(dead); !slices.Equal(got, want) {
		t.Fatalf("dead-lettered %v, want %v", got, want)
	}
	st := e.getSubscription("attempts").Properties.LockstreamStatus
	if st.DeadLetteredEvents != 2 || st.DeadLetteredTotal != 2 || st.LastFailureReason != events.ReasonMaxAttempts {
		t.Fatalf("status: %+v", st)
	}

	// Replay after the receiver recovers.
	healthy.Store(true)
	var n int64
	err := e.Store.WithTx(t.Context(), func(tx store.Tx) error {
		var err error
		n, err = tx.ReplayDeliveries(t.Context(), strings.ToLower(strings.Replace(acctPath, "mediaServices", "mediaservices", 1)), "attempts", time.Now())
		return err
	})
	if err != nil || n != 2 {
		t.Fatalf("replay: %d, %v", n, err)
	}
	e.Engine.Kick()
	if got := ids(down.waitEvents(events.TypeJobOutputProgress, 2)); !slices.Equal(got, want) {
		t.Fatalf("replayed %v", got)
	}
}

// TestDeadLetterTTL: a receiver that is down (connection refused) past
// eventTimeToLiveInMinutes gets its events dead-lettered with
// TimeToLiveExceeded; the failures are logged without the endpoint's
// query string.
func TestDeadLetterTTL(t *testing.T) {
	e := newEnv(t, openSQLite(t))
	down := newReceiver(t)
	e.subscribe("ttl", down.URL(), `"retryPolicy":{"eventTimeToLiveInMinutes":1},
		"deadLetterDestination":{"endpointType":"StorageBlob","properties":{"blobContainerName":"ttl-dead"}}`)
	down.srv.Close() // the receiver goes down after validating
	publish(t, e.Store, 1)
	waitFor(t, "a few failed attempts", func() bool {
		return e.getSubscription("ttl").Properties.LockstreamStatus.FailedAttempts >= 3
	})
	e.clock.Advance(2 * time.Minute)
	waitFor(t, "dead-lettering", func() bool { return e.getSubscription("ttl").Properties.LockstreamStatus.DeadLetteredEvents == 1 })
	dead := deadLetters(t, e, "ttl-dead")
	if len(dead) != 1 || dead[0]["deadLetterReason"] != events.ReasonTTL || dead[0]["lastDeliveryOutcome"] != "GenericError" ||
		dead[0]["lastHttpStatusCode"] != float64(0) || dead[0]["deliveryAttempts"].(float64) < 3 {
		t.Fatalf("dead-lettered: %v", dead)
	}
	logs := e.log.String()
	if !strings.Contains(logs, "connection refused") || strings.Contains(logs, "s3cr3t-query") {
		t.Fatalf("delivery failures must be logged without the endpoint's query:\n%s", logs)
	}
}

// TestPermanentFailure: 400 is never retried.
func TestPermanentFailure(t *testing.T) {
	e := newEnv(t, openSQLite(t))
	rc := newReceiver(t)
	rc.respond = func(*http.Request, int) int { return 400 }
	e.subscribe("perm", rc.URL(), `"deadLetterDestination":{"endpointType":"StorageBlob","properties":{"blobContainerName":"perm-dead"}}`)
	publish(t, e.Store, 1)
	var dead []map[string]any
	waitFor(t, "dead letter", func() bool { dead = deadLetters(t, e, "perm-dead"); return len(dead) == 1 })
	if dead[0]["deadLetterReason"] != events.ReasonPermanent || dead[0]["deliveryAttempts"] != float64(1) || dead[0]["lastDeliveryOutcome"] != "BadRequest" {
		t.Fatalf("dead-lettered: %v", dead[0])
	}
	if n := len(rc.Requests()); n != 2 { // handshake + one attempt
		t.Fatalf("%d requests, want 2", n)
	}
}

// TestRedirectNotFollowed: a 3xx is a failed attempt; the target of the
// redirect never sees a connection.
func TestRedirectNotFollowed(t *testing.T) {
	e := newEnv(t, openSQLite(t))
	target := newReceiver(t)
	rc := newReceiver(t)
	var attempts atomic.Int64
	rc.respond = func(r *http.Request, n int) int { attempts.Add(1); return 0 }
	rc.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("aeg-event-type") == "Notification" {
			attempts.Add(1)
			http.Redirect(w, r, target.URL(), http.StatusTemporaryRedirect)
			return
		}
		rc.serve(w, r)
	})
	e.subscribe("redirect", rc.URL(), `"retryPolicy":{"maxDeliveryAttempts":2}`)
	publish(t, e.Store, 1)
	waitFor(t, "dead-lettering", func() bool {
		return e.getSubscription("redirect").Properties.LockstreamStatus.DeadLetteredEvents == 1
	})
	if attempts.Load() != 2 || len(target.Requests()) != 0 {
		t.Fatalf("attempts %d, requests at the redirect target %d", attempts.Load(), len(target.Requests()))
	}
}

// TestEngineRequiresGuard: there is no fallback to an unguarded client.
func TestEngineRequiresGuard(t *testing.T) {
	_, err := events.NewEngine(events.Config{Store: openSQLite(t), Sealer: nil})
	if err == nil {
		t.Fatal("engine without sealer or guard")
	}
	e := newEnv(t, openSQLite(t))
	if _, err := events.NewEngine(events.Config{Store: e.Store, Sealer: e.Sealer}); err == nil || !strings.Contains(err.Error(), "outbound guard") {
		t.Fatalf("engine without a guard: %v", err)
	}
	_ = context.Background
}
