package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/core"
	"github.com/lockstream/lockstream/internal/store"
)

const eventsUsage = `usage:
  lockstream events subscribe ACCOUNT_ID NAME --url URL [--types T1,T2] [--schema EventGridSchema|CloudEventSchemaV1_0]
        [--subject-begins-with P] [--subject-ends-with S] [--max-attempts N] [--ttl-minutes N]
        [--dead-letter-container C] [--aad-audience APP_ID_OR_URI] [config flags]
  lockstream events list ACCOUNT_ID [config flags]
  lockstream events delete ACCOUNT_ID NAME [config flags]
  lockstream events replay ACCOUNT_ID NAME [config flags]   (send dead-lettered events again)
ACCOUNT_ID is the account's ARM id: /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Media/mediaservices/{account}.
A new subscription is validated by the running server (handshake with the endpoint).`

// eventOpts are the event commands' own options.
var eventOpts = []string{"url", "types", "schema", "subject-begins-with", "subject-ends-with", "max-attempts", "ttl-minutes", "dead-letter-container", "aad-audience"}

type eventArgs struct {
	pos  []string
	opts map[string]string
	rest []string
}

func splitEventArgs(args []string) (eventArgs, error) {
	a := eventArgs{opts: map[string]string{}}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		key, val, hasVal := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		switch {
		case !strings.HasPrefix(arg, "-") && len(a.rest) == 0:
			a.pos = append(a.pos, arg)
		case strings.HasPrefix(arg, "-") && contains(eventOpts, key):
			if !hasVal {
				if i+1 >= len(args) {
					return a, fmt.Errorf("--%s needs a value", key)
				}
				i++
				val = args[i]
			}
			a.opts[key] = val
		default:
			a.rest = append(a.rest, arg)
		}
	}
	return a, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// eventsCmd runs the events commands through the management API in
// process (the same validation and storage as PUT over HTTP), as the
// local operator.
func eventsCmd(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	a, err := splitEventArgs(args)
	if err != nil || len(a.pos) < 2 {
		fmt.Fprintln(stderr, eventsUsage)
		return 2
	}
	c, code, ok := load("lockstream events", a.rest, getenv, stderr)
	if !ok {
		return code
	}
	ctx := context.Background()
	h, st, closeFn, err := core.OpenLocalAPI(ctx, c)
	if err != nil {
		fmt.Fprintln(stderr, "lockstream:", err)
		return 1
	}
	defer closeFn()
	out, err := runEvents(ctx, h, st, a)
	return report(stdout, stderr, "lockstream events", out, err)
}

const gridAPIVersion = "2022-06-15"

func subscriptionsPath(account string) string {
	return strings.TrimRight(account, "/") + "/providers/Microsoft.EventGrid/eventSubscriptions"
}

// call sends one request to the in-process API and decodes its answer.
func call(ctx context.Context, h http.Handler, method, path string, body any) (any, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = strings.NewReader(string(b))
	}
	req := httptest.NewRequestWithContext(ctx, method, path+"?api-version="+gridAPIVersion, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	var out any
	if w.Body.Len() > 0 {
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			return nil, fmt.Errorf("%s %s: status %d: %s", method, path, w.Code, w.Body.String())
		}
	}
	if w.Code >= 300 {
		if m, ok := out.(map[string]any); ok {
			if e, ok := m["error"].(map[string]any); ok {
				return nil, fmt.Errorf("%v: %v", e["code"], e["message"])
			}
		}
		return nil, fmt.Errorf("%s %s: status %d", method, path, w.Code)
	}
	return out, nil
}

func runEvents(ctx context.Context, h http.Handler, st store.Store, a eventArgs) (any, error) {
	verb, account := a.pos[0], a.pos[1]
	need := func(n int) error {
		if len(a.pos) != n {
			return usageError{"wrong number of arguments", eventsUsage}
		}
		return nil
	}
	switch verb {
	case "subscribe":
		if err := need(3); err != nil {
			return nil, err
		}
		if a.opts["url"] == "" {
			return nil, usageError{"--url is required", eventsUsage}
		}
		wh := map[string]any{"endpointUrl": a.opts["url"]}
		if aud := a.opts["aad-audience"]; aud != "" {
			wh["azureActiveDirectoryApplicationIdOrUri"] = aud
		}
		props := map[string]any{"destination": map[string]any{"endpointType": "WebHook", "properties": wh}}
		filter := map[string]any{}
		if t := a.opts["types"]; t != "" {
			filter["includedEventTypes"] = strings.Split(t, ",")
		}
		for _, k := range []string{"subject-begins-with", "subject-ends-with"} {
			if v := a.opts[k]; v != "" {
				filter[map[string]string{"subject-begins-with": "subjectBeginsWith", "subject-ends-with": "subjectEndsWith"}[k]] = v
			}
		}
		if len(filter) > 0 {
			props["filter"] = filter
		}
		if s := a.opts["schema"]; s != "" {
			props["eventDeliverySchema"] = s
		}
		rp := map[string]any{}
		for k, field := range map[string]string{"max-attempts": "maxDeliveryAttempts", "ttl-minutes": "eventTimeToLiveInMinutes"} {
			if v := a.opts[k]; v != "" {
				n, err := strconv.Atoi(v)
				if err != nil {
					return nil, usageError{"--" + k + " must be a number", eventsUsage}
				}
				rp[field] = n
			}
		}
		if len(rp) > 0 {
			props["retryPolicy"] = rp
		}
		if c := a.opts["dead-letter-container"]; c != "" {
			props["deadLetterDestination"] = map[string]any{"endpointType": "StorageBlob", "properties": map[string]any{"blobContainerName": c}}
		}
		return call(ctx, h, http.MethodPut, subscriptionsPath(account)+"/"+a.pos[2], map[string]any{"properties": props})
	case "list":
		if err := need(2); err != nil {
			return nil, err
		}
		return call(ctx, h, http.MethodGet, subscriptionsPath(account), nil)
	case "delete":
		if err := need(3); err != nil {
			return nil, err
		}
		if _, err := call(ctx, h, http.MethodDelete, subscriptionsPath(account)+"/"+a.pos[2], nil); err != nil {
			return nil, err
		}
		return map[string]any{"deleted": a.pos[2]}, nil
	case "replay":
		if err := need(3); err != nil {
			return nil, err
		}
		// The subscription must exist (and the account path be right).
		if _, err := call(ctx, h, http.MethodGet, subscriptionsPath(account)+"/"+a.pos[2], nil); err != nil {
			return nil, err
		}
		var n int64
		err := st.WithTx(ctx, func(tx store.Tx) error {
			var err error
			n, err = tx.ReplayDeliveries(ctx, strings.ToLower(strings.TrimRight(account, "/")), a.pos[2], time.Now())
			return err
		})
		if err != nil {
			return nil, err
		}
		return map[string]any{"replayed": n}, nil
	}
	return nil, usageError{"unknown command " + verb, eventsUsage}
}
