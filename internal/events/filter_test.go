package events

import (
	"encoding/json"
	"testing"

	"github.com/lockstream/lockstream/internal/defs"
)

func TestMatches(t *testing.T) {
	var ev map[string]any
	_ = json.Unmarshal([]byte(`{"eventType":"Microsoft.Media.JobFinished","subject":"transforms/T1/jobs/J1",
		"data":{"state":"Finished","progress":100,"ok":true,"labels":["a","b"],"nothing":null}}`), &ev)
	tr, fa := true, false
	af := func(op, key, vals string) defs.AdvancedFilter {
		a := defs.AdvancedFilter{OperatorType: op, Key: key}
		if vals != "" {
			if vals[0] == '[' {
				_ = json.Unmarshal([]byte(vals), &a.Values)
			} else {
				a.Value = json.RawMessage(vals)
			}
		}
		return a
	}
	cases := []struct {
		name string
		f    defs.EventSubscriptionFilter
		want bool
	}{
		{"no filter", defs.EventSubscriptionFilter{}, true},
		{"type match any case", defs.EventSubscriptionFilter{IncludedEventTypes: []string{"microsoft.media.jobfinished"}}, true},
		{"type miss", defs.EventSubscriptionFilter{IncludedEventTypes: []string{"Microsoft.Media.JobErrored"}}, false},
		{"prefix insensitive", defs.EventSubscriptionFilter{SubjectBeginsWith: "TRANSFORMS/t1/"}, true},
		{"prefix sensitive miss", defs.EventSubscriptionFilter{SubjectBeginsWith: "TRANSFORMS/", IsSubjectCaseSensitive: &tr}, false},
		{"suffix", defs.EventSubscriptionFilter{SubjectEndsWith: "/j1", IsSubjectCaseSensitive: &fa}, true},
		{"suffix miss", defs.EventSubscriptionFilter{SubjectEndsWith: "/j2"}, false},
		{"StringIn", defs.EventSubscriptionFilter{AdvancedFilters: []defs.AdvancedFilter{af("StringIn", "data.state", `["finished","error"]`)}}, true},
		{"StringNotIn", defs.EventSubscriptionFilter{AdvancedFilters: []defs.AdvancedFilter{af("StringNotIn", "data.state", `["Finished"]`)}}, false},
		{"StringContains", defs.EventSubscriptionFilter{AdvancedFilters: []defs.AdvancedFilter{af("StringContains", "subject", `["/jobs/"]`)}}, true},
		{"NumberGreaterThan", defs.EventSubscriptionFilter{AdvancedFilters: []defs.AdvancedFilter{af("NumberGreaterThan", "data.progress", `99`)}}, true},
		{"NumberLessThan miss", defs.EventSubscriptionFilter{AdvancedFilters: []defs.AdvancedFilter{af("NumberLessThan", "data.progress", `100`)}}, false},
		{"NumberIn", defs.EventSubscriptionFilter{AdvancedFilters: []defs.AdvancedFilter{af("NumberIn", "data.progress", `[50,100]`)}}, true},
		{"BoolEquals", defs.EventSubscriptionFilter{AdvancedFilters: []defs.AdvancedFilter{af("BoolEquals", "data.ok", `true`)}}, true},
		{"missing key fails", defs.EventSubscriptionFilter{AdvancedFilters: []defs.AdvancedFilter{af("StringIn", "data.nope", `["x"]`)}}, false},
		{"IsNullOrUndefined", defs.EventSubscriptionFilter{AdvancedFilters: []defs.AdvancedFilter{af("IsNullOrUndefined", "data.nothing", ""), af("IsNullOrUndefined", "data.nope", "")}}, true},
		{"IsNotNull", defs.EventSubscriptionFilter{AdvancedFilters: []defs.AdvancedFilter{af("IsNotNull", "data.nothing", "")}}, false},
		{"array without flag", defs.EventSubscriptionFilter{AdvancedFilters: []defs.AdvancedFilter{af("StringIn", "data.labels", `["b"]`)}}, false},
		{"array with flag", defs.EventSubscriptionFilter{EnableAdvancedFilteringOnArrays: &tr, AdvancedFilters: []defs.AdvancedFilter{af("StringIn", "data.labels", `["b"]`)}}, true},
		{"all must hold", defs.EventSubscriptionFilter{IncludedEventTypes: []string{"Microsoft.Media.JobFinished"},
			AdvancedFilters: []defs.AdvancedFilter{af("StringIn", "data.state", `["Finished"]`), af("NumberLessThan", "data.progress", `5`)}}, false},
	}
	for _, c := range cases {
		if err := (&defs.EventSubscription{Properties: &defs.EventSubscriptionProperties{Filter: &c.f,
			Destination: &defs.EventSubscriptionDestination{EndpointType: "WebHook", Properties: &defs.WebHookProperties{}}}}).Validate(); err != nil {
			t.Fatalf("%s: filter does not validate: %v", c.name, err)
		}
		if got := matches(&c.f, ev); got != c.want {
			t.Errorf("%s: matches = %v, want %v", c.name, got, c.want)
		}
	}
}
