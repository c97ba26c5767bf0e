package events_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/events"
)

// TestSubscribeAndReceive subscribes a receiver through the API in each
// schema, passes the handshake, and receives the locator and streaming
// endpoint events the API writes in its transactions, with Event Grid's
// envelope, headers and Lockstream's data.
func TestSubscribeAndReceive(t *testing.T) {
	for _, schema := range []string{"EventGridSchema", "CloudEventSchemaV1_0"} {
		t.Run(schema, func(t *testing.T) {
			e := newEnv(t, openSQLite(t))
			rc := newReceiver(t)
			s := e.subscribe("sub-1", rc.URL(), `"eventDeliverySchema":"`+schema+`"`)
			// The endpoint's query is write-only; the base URL is shown.
			dp := s.Properties.Destination.Properties
			if _, ok := dp["endpointUrl"]; ok || dp["endpointBaseUrl"] != rc.srv.URL+"/hook" {
				t.Fatalf("destination properties leak or lack the URL: %v", dp)
			}
			if s.Type != "Microsoft.EventGrid/eventSubscriptions" || s.ID != subsPath+"/sub-1" && !strings.EqualFold(s.ID, subsPath+"/sub-1") {
				t.Fatalf("envelope: id %q type %q", s.ID, s.Type)
			}
			if strings.Contains(e.log.String(), "s3cr3t-query") {
				t.Fatal("the endpoint's query string was logged")
			}
			first := rc.Requests()[0]
			if schema == "CloudEventSchemaV1_0" {
				if first.Method != http.MethodOptions || first.Header.Get("WebHook-Request-Origin") != "eventgrid.azure.net" {
					t.Fatalf("CloudEvents handshake: %s %v", first.Method, first.Header)
				}
			} else if first.Header.Get("aeg-event-type") != "SubscriptionValidation" {
				t.Fatalf("Event Grid handshake headers: %v", first.Header)
			}

			e.createLocator("asset-1", "loc-1")
			e.deleteLocator("loc-1")
			e.mustDo(http.MethodPut, acctPath+"/streamingEndpoints/se1", mediaAV, `{"location":"westus","properties":{"scaleUnits":0}}`, 200, 201)
			e.mustDo(http.MethodPost, acctPath+"/streamingEndpoints/se1/start", mediaAV, "", 200)
			e.mustDo(http.MethodPost, acctPath+"/streamingEndpoints/se1/stop", mediaAV, "", 200)

			created := rc.waitEvents(events.TypeStreamingLocatorCreated, 1)[0]
			deleted := rc.waitEvents(events.TypeStreamingLocatorDeleted, 1)[0]
			started := rc.waitEvents(events.TypeStreamingEndpointStarted, 1)[0]
			stopped := rc.waitEvents(events.TypeStreamingEndpointStopped, 1)[0]
			topic := "/subscriptions/" + testSub + "/resourceGroups/" + testRG + "/providers/Microsoft.Media/mediaservices/" + testAccount
			for _, ev := range []map[string]any{created, deleted, started, stopped} {
				if schema == "CloudEventSchemaV1_0" {
					if ev["specversion"] != "1.0" || ev["source"] != topic || ev["id"] == "" || ev["time"] == nil {
						t.Fatalf("CloudEvents envelope: %v", ev)
					}
				} else if ev["topic"] != topic || ev["dataVersion"] != "1.0" || ev["metadataVersion"] != "1" || ev["id"] == "" ||
					!strings.HasSuffix(ev["eventTime"].(string), "Z") {
					t.Fatalf("Event Grid envelope: %v", ev)
				}
			}
			if created["subject"] != "streamingLocators/loc-1" || started["subject"] != "streamingEndpoints/se1" {
				t.Fatalf("subjects: %v, %v", created["subject"], started["subject"])
			}
			d := created["data"].(map[string]any)
			if d["assetName"] != "asset-1" || d["streamingPolicyName"] != "Predefined_ClearStreamingOnly" || d["streamingLocatorName"] != "loc-1" || d["streamingLocatorId"] == "" {
				t.Fatalf("locator data: %v", d)
			}
			if dd := deleted["data"].(map[string]any); dd["streamingLocatorId"] != d["streamingLocatorId"] {
				t.Fatalf("deleted locator id %v, created %v", dd["streamingLocatorId"], d["streamingLocatorId"])
			}
			if sd := started["data"].(map[string]any); sd["state"] != "Running" || sd["previousState"] != "Stopped" {
				t.Fatalf("endpoint started data: %v", sd)
			}
			if sd := stopped["data"].(map[string]any); sd["state"] != "Stopped" || sd["previousState"] != "Running" {
				t.Fatalf("endpoint stopped data: %v", sd)
			}
			// Notification headers.
			for _, r := range rc.Requests() {
				if r.Method != http.MethodPost || r.Header.Get("aeg-event-type") != "Notification" {
					continue
				}
				wantCT := "application/json; charset=utf-8"
				if schema == "CloudEventSchemaV1_0" {
					wantCT = "application/cloudevents+json; charset=utf-8"
				}
				if r.Header.Get("Content-Type") != wantCT || r.Header.Get("aeg-subscription-name") != "SUB-1" ||
					r.Header.Get("aeg-delivery-count") != "0" || r.Header.Get("aeg-metadata-version") != "1" || r.Header.Get("aeg-output-event-id") == "" {
					t.Fatalf("notification headers: %v", r.Header)
				}
			}
			// Each event arrived once; the status shows the deliveries.
			if n := len(rc.Events()); n != 4 {
				t.Fatalf("received %d events, want 4", n)
			}
			waitFor(t, "delivered count", func() bool { return e.getSubscription("sub-1").Properties.LockstreamStatus.DeliveredEvents == 4 })
		})
	}
}

// TestFilteredSubscription: a subscription with type, subject and advanced
// filters receives only the events that pass them all.
func TestFilteredSubscription(t *testing.T) {
	e := newEnv(t, openSQLite(t))
	all, filtered := newReceiver(t), newReceiver(t)
	e.subscribe("all", all.URL(), "")
	e.subscribe("filtered", filtered.URL(), `"filter":{"includedEventTypes":["Lockstream.Media.StreamingLocatorCreated","Lockstream.Media.StreamingLocatorDeleted"],
		"subjectBeginsWith":"STREAMINGLOCATORS/keep","advancedFilters":[{"operatorType":"StringIn","key":"data.assetName","values":["asset-keep"]},
		{"operatorType":"StringNotContains","key":"data.streamingLocatorName","values":["skip"]}]}`)
	e.createLocator("asset-keep", "keep-1")    // passes
	e.createLocator("asset-other", "keep-2")   // wrong asset
	e.createLocator("asset-keep", "other-3")   // wrong subject
	e.createLocator("asset-keep", "keep-skip") // advanced NotContains
	e.deleteLocator("keep-1")                  // passes
	e.mustDo(http.MethodPut, acctPath+"/streamingEndpoints/se1", mediaAV, `{"location":"westus","properties":{"scaleUnits":0}}`, 200, 201)
	e.mustDo(http.MethodPost, acctPath+"/streamingEndpoints/se1/start", mediaAV, "", 200) // wrong type

	all.waitEvents(events.TypeStreamingEndpointStarted, 1)
	all.waitEvents(events.TypeStreamingLocatorCreated, 4)
	// Fan-out is one transaction per batch, so once "all" has the last
	// event, the filtered subscription's deliveries exist: wait until
	// none is pending, then look.
	waitFor(t, "filtered deliveries settled", func() bool {
		st := e.getSubscription("filtered").Properties.LockstreamStatus
		return st.PendingEvents == 0 && st.DeliveredEvents >= 2
	})
	got := filtered.Events()
	if len(got) != 2 {
		b, _ := json.Marshal(got)
		t.Fatalf("filtered subscription got %d events, want 2: %s", len(got), b)
	}
	for _, ev := range got {
		if ev["subject"] != "streamingLocators/keep-1" {
			t.Fatalf("filtered subscription got %v %v", ev["eventType"], ev["subject"])
		}
	}
}
