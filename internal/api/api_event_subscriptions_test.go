package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const (
	egAV     = "api-version=2022-06-15"
	subsPath = acctPath + "/providers/Microsoft.EventGrid/eventSubscriptions"
)

func egDo(ts *testServer, method, path, body string, hdr map[string]string) *response {
	return ts.do(method, path, egAV, hdr, body)
}

// TestEventSubscriptionCRUD: create, read, update, list, delete in the
// Event Grid shape: defaults filled, the endpoint URL write-only (base URL
// shown, full URL only through getFullUrl), secret delivery attribute
// values never shown.
func TestEventSubscriptionCRUD(t *testing.T) {
	ts := newTestServer(t)
	body := `{"properties":{"destination":{"endpointType":"WebHook","properties":{"endpointUrl":"https://hooks.example.com/in?code=s3cret",
		"deliveryAttributeMappings":[{"name":"X-Static","type":"Static","properties":{"value":"plain"}},
			{"name":"X-Secret","type":"Static","properties":{"value":"hush","isSecret":true}},
			{"name":"X-Subject","type":"Dynamic","properties":{"sourceField":"subject"}}]}},
		"filter":{"includedEventTypes":["Microsoft.Media.JobFinished"]}}}`
	r := egDo(ts, http.MethodPut, subsPath+"/sub-1", body, nil)
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	if strings.Contains(string(r.Body), "s3cret") || strings.Contains(string(r.Body), "hush") {
		t.Fatalf("create response reveals a secret: %s", r.Body)
	}
	var got struct {
		ID, Name, Type string
		Properties     struct {
			Topic, ProvisioningState, EventDeliverySchema string
			Destination                                   struct {
				EndpointType string
				Properties   map[string]any
			}
			RetryPolicy struct{ MaxDeliveryAttempts, EventTimeToLiveInMinutes int }
			Filter      map[string]any
		}
	}
	r = egDo(ts, http.MethodGet, subsPath+"/SUB-1", "", nil)
	if r.Status != 200 || json.Unmarshal(r.Body, &got) != nil {
		t.Fatalf("get: %d %s", r.Status, r.Body)
	}
	p := got.Properties
	if got.Type != "Microsoft.EventGrid/eventSubscriptions" || !strings.HasSuffix(got.ID, "/providers/Microsoft.EventGrid/eventSubscriptions/sub-1") ||
		p.ProvisioningState != "Creating" || p.EventDeliverySchema != "EventGridSchema" || p.RetryPolicy.MaxDeliveryAttempts != 30 ||
		p.RetryPolicy.EventTimeToLiveInMinutes != 1440 || !strings.HasSuffix(p.Topic, "/providers/Microsoft.Media/mediaservices/"+testAccount) ||
		p.Destination.Properties["endpointBaseUrl"] != "https://hooks.example.com/in" || p.Destination.Properties["maxEventsPerBatch"] != float64(1) ||
		p.Destination.Properties["preferredBatchSizeInKilobytes"] != float64(64) || p.Filter["isSubjectCaseSensitive"] != false {
		t.Fatalf("get: %s", r.Body)
	}
	if strings.Contains(string(r.Body), "s3cret") || strings.Contains(string(r.Body), "hush") || !strings.Contains(string(r.Body), `"lockstreamStatus"`) {
		t.Fatalf("get response: %s", r.Body)
	}
	r = egDo(ts, http.MethodPost, subsPath+"/sub-1/getFullUrl", "", nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), `"endpointUrl":"https://hooks.example.com/in?code=s3cret"`) {
		t.Fatalf("getFullUrl: %d %s", r.Status, r.Body)
	}
	r = egDo(ts, http.MethodPost, subsPath+"/sub-1/getDeliveryAttributes", "", nil)
	if r.Status != 200 || strings.Contains(string(r.Body), "hush") || !strings.Contains(string(r.Body), `"X-Subject"`) || !strings.Contains(string(r.Body), `"plain"`) {
		t.Fatalf("getDeliveryAttributes: %d %s", r.Status, r.Body)
	}

	// PATCH without endpointUrl keeps it (and the state: same endpoint).
	r = egDo(ts, http.MethodPatch, subsPath+"/sub-1", `{"properties":{"labels":["l1"]}}`, nil)
	if r.Status != 200 {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	r = egDo(ts, http.MethodPost, subsPath+"/sub-1/getFullUrl", "", nil)
	if !strings.Contains(string(r.Body), "code=s3cret") {
		t.Fatalf("patch lost the endpoint: %s", r.Body)
	}
	r = egDo(ts, http.MethodPost, subsPath+"/sub-1/getDeliveryAttributes", "", nil)
	if strings.Contains(string(r.Body), "hush") {
		t.Fatalf("secret shown after patch: %s", r.Body)
	}

	egDo(ts, http.MethodPut, subsPath+"/sub-2", `{"properties":{"destination":{"endpointType":"WebHook","properties":{"endpointUrl":"https://b.example.com/"}}}}`, nil)
	r = egDo(ts, http.MethodGet, subsPath, "", nil)
	var list struct{ Value []struct{ Name string } }
	if r.Status != 200 || json.Unmarshal(r.Body, &list) != nil || len(list.Value) != 2 {
		t.Fatalf("list: %d %s", r.Status, r.Body)
	}
	if r := egDo(ts, http.MethodDelete, subsPath+"/sub-1", "", nil); r.Status != 200 {
		t.Fatalf("delete: %d", r.Status)
	}
	if r := egDo(ts, http.MethodDelete, subsPath+"/sub-1", "", nil); r.Status != 204 {
		t.Fatalf("delete again: %d", r.Status)
	}
	if r := egDo(ts, http.MethodGet, subsPath+"/sub-1", "", nil); r.Status != 404 {
		t.Fatalf("get deleted: %d", r.Status)
	}
}

// TestEventSubscriptionErrors: bad bodies and versions get precise ARM
// errors and store nothing.
func TestEventSubscriptionErrors(t *testing.T) {
	ts := newTestServer(t)
	wh := func(props string) string {
		return `{"properties":{"destination":{"endpointType":"WebHook","properties":{"endpointUrl":"https://h.example.com/x"}}` + props + `}}`
	}
	cases := []struct {
		name, path, query, body string
		status                  int
		code, target            string
	}{
		{"media api-version", subsPath + "/s-1", av, wh(""), 400, "InvalidApiVersionParameter", ""},
		{"grid api-version on media path", acctPath + "/assets", egAV, "", 400, "InvalidApiVersionParameter", ""},
		{"no destination", subsPath + "/s-1", egAV, `{"properties":{}}`, 400, "InvalidParameter", "properties.destination"},
		{"no endpoint", subsPath + "/s-1", egAV, `{"properties":{"destination":{"endpointType":"WebHook","properties":{}}}}`, 400, "InvalidParameter", "properties.destination.properties.endpointUrl"},
		{"event hub", subsPath + "/s-1", egAV, `{"properties":{"destination":{"endpointType":"EventHub","properties":{}}}}`, 400, "InvalidParameter", "properties.destination.endpointType"},
		{"ftp endpoint", subsPath + "/s-1", egAV, `{"properties":{"destination":{"endpointType":"WebHook","properties":{"endpointUrl":"ftp://x/"}}}}`, 400, "InvalidParameter", "properties.destination.properties.endpointUrl"},
		{"userinfo endpoint", subsPath + "/s-1", egAV, `{"properties":{"destination":{"endpointType":"WebHook","properties":{"endpointUrl":"https://u:p@x/"}}}}`, 400, "InvalidParameter", "properties.destination.properties.endpointUrl"},
		{"attempts", subsPath + "/s-1", egAV, wh(`,"retryPolicy":{"maxDeliveryAttempts":31}`), 400, "InvalidParameter", "properties.retryPolicy.maxDeliveryAttempts"},
		{"ttl", subsPath + "/s-1", egAV, wh(`,"retryPolicy":{"eventTimeToLiveInMinutes":0}`), 400, "InvalidParameter", "properties.retryPolicy.eventTimeToLiveInMinutes"},
		{"batch", subsPath + "/s-1", egAV, `{"properties":{"destination":{"endpointType":"WebHook","properties":{"endpointUrl":"https://h/x","maxEventsPerBatch":5001}}}}`, 400, "InvalidParameter", "properties.destination.properties.maxEventsPerBatch"},
		{"schema", subsPath + "/s-1", egAV, wh(`,"eventDeliverySchema":"CustomInputSchema"`), 400, "InvalidParameter", "properties.eventDeliverySchema"},
		{"dead letter", subsPath + "/s-1", egAV, wh(`,"deadLetterDestination":{"endpointType":"StorageBlob","properties":{"blobContainerName":"Bad_Name"}}`), 400, "InvalidParameter", "properties.deadLetterDestination.properties.blobContainerName"},
		{"operator", subsPath + "/s-1", egAV, wh(`,"filter":{"advancedFilters":[{"operatorType":"Regex","key":"data.x","values":["a"]}]}`), 400, "InvalidParameter", "properties.filter.advancedFilters[0].operatorType"},
		{"operator value type", subsPath + "/s-1", egAV, wh(`,"filter":{"advancedFilters":[{"operatorType":"NumberGreaterThan","key":"data.x","value":"a"}]}`), 400, "InvalidParameter", "properties.filter.advancedFilters[0].values[0]"},
		{"reserved header", subsPath + "/s-1", egAV, `{"properties":{"destination":{"endpointType":"WebHook","properties":{"endpointUrl":"https://h/x","deliveryAttributeMappings":[{"name":"Authorization","type":"Static","properties":{"value":"x"}}]}}}}`, 400, "InvalidParameter", "properties.destination.properties.deliveryAttributeMappings[0].name"},
		{"identity", subsPath + "/s-1", egAV, wh(`,"deliveryWithResourceIdentity":{"identity":{"type":"SystemAssigned"}}`), 400, "InvalidParameter", "properties.deliveryWithResourceIdentity"},
		{"name", subsPath + "/a_b", egAV, wh(""), 400, "InvalidResourceName", "name"},
		{"unknown action", subsPath + "/s-1/explode", egAV, "", 404, "NotFound", ""},
	}
	for _, c := range cases {
		method := http.MethodPut
		if c.body == "" {
			method = http.MethodPost
			if strings.HasSuffix(c.path, "/assets") {
				method = http.MethodGet
			}
		}
		r := ts.do(method, c.path, c.query, nil, c.body)
		var e armError
		_ = json.Unmarshal(r.Body, &e)
		if r.Status != c.status || e.Error.Code != c.code || e.Error.Target != c.target {
			t.Errorf("%s: %d %s", c.name, r.Status, r.Body)
		}
	}
	if r := egDo(ts, http.MethodGet, subsPath, "", nil); !strings.Contains(string(r.Body), `"value":[]`) {
		t.Fatalf("something was stored: %s", r.Body)
	}
}

// TestEventSubscriptionRBAC: readers read (and see delivery attributes),
// only writers create, update or reveal the full endpoint URL; roles
// without the resource see nothing.
func TestEventSubscriptionRBAC(t *testing.T) {
	ts := newTestServer(t)
	body := `{"properties":{"destination":{"endpointType":"WebHook","properties":{"endpointUrl":"https://h.example.com/x?k=v"}}}}`
	if r := egDo(ts, http.MethodPut, subsPath+"/owned", body, nil); r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	acct := strings.ToLower(acctPath)
	_, _, reader := ts.newPrincipal("Reader", acct)
	_, _, operator := ts.newPrincipal("Media Operator", acct)
	_, _, policy := ts.newPrincipal("Policy Administrator", acct)
	as := func(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }
	check := func(who, tok, method, path, body string, want int) {
		t.Helper()
		if r := egDo(ts, method, path, body, as(tok)); r.Status != want {
			t.Errorf("%s %s %s: %d, want %d: %s", who, method, path, r.Status, want, r.Body)
		}
	}
	check("reader", reader, http.MethodGet, subsPath+"/owned", "", 200)
	check("reader", reader, http.MethodGet, subsPath, "", 200)
	check("reader", reader, http.MethodPost, subsPath+"/owned/getDeliveryAttributes", "", 200)
	check("reader", reader, http.MethodPost, subsPath+"/owned/getFullUrl", "", 403)
	check("reader", reader, http.MethodPut, subsPath+"/other", body, 403)
	check("reader", reader, http.MethodDelete, subsPath+"/owned", "", 403)
	check("policy admin", policy, http.MethodGet, subsPath+"/owned", "", 403)
	check("operator", operator, http.MethodPut, subsPath+"/op-sub", body, 201)
	check("operator", operator, http.MethodPost, subsPath+"/op-sub/getFullUrl", "", 200)
	check("operator", operator, http.MethodDelete, subsPath+"/op-sub", "", 200)
}

// refuseHosts stands in for the outbound guard's CheckURL contract
// (netguard.Guard.CheckURL: an error for a destination it refuses).
type refuseHosts []string

func (r refuseHosts) CheckURL(_ context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	for _, h := range r {
		if u.Hostname() == h {
			return fmt.Errorf("netguard: %s: address %s refused: destination refused", raw, h)
		}
	}
	return nil
}

// TestEventSubscriptionURLCheck: a destination the guard refuses is a 400
// naming the field, without the URL's query; nothing is stored.
func TestEventSubscriptionURLCheck(t *testing.T) {
	ts := newTestServer(t)
	ts.API.EventURLs = refuseHosts{"169.254.169.254"}
	r := egDo(ts, http.MethodPut, subsPath+"/meta", `{"properties":{"destination":{"endpointType":"WebHook","properties":{"endpointUrl":"http://169.254.169.254/latest?token=s3cret"}}}}`, nil)
	var e armError
	_ = json.Unmarshal(r.Body, &e)
	if r.Status != 400 || e.Error.Target != "properties.destination.properties.endpointUrl" || strings.Contains(string(r.Body), "s3cret") {
		t.Fatalf("refused destination: %d %s", r.Status, r.Body)
	}
	if r := egDo(ts, http.MethodGet, subsPath+"/meta", "", nil); r.Status != 404 {
		t.Fatalf("refused subscription stored: %d", r.Status)
	}
	if r := egDo(ts, http.MethodPut, subsPath+"/fine", `{"properties":{"destination":{"endpointType":"WebHook","properties":{"endpointUrl":"https://hooks.example.com/"}}}}`, nil); r.Status != 201 {
		t.Fatalf("allowed destination: %d %s", r.Status, r.Body)
	}
}
