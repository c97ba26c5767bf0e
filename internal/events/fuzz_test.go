package events

import (
	"encoding/json"
	"testing"

	"github.com/lockstream/lockstream/internal/defs"
)

// FuzzFilter: any filter that validates evaluates against any event
// without panicking.
func FuzzFilter(f *testing.F) {
	f.Add([]byte(`{"includedEventTypes":["A"],"subjectBeginsWith":"x","advancedFilters":[{"operatorType":"NumberIn","key":"data.p","values":[1]}]}`),
		[]byte(`{"eventType":"A","subject":"xy","data":{"p":1}}`))
	f.Add([]byte(`{"enableAdvancedFilteringOnArrays":true,"advancedFilters":[{"operatorType":"BoolEquals","key":"data.b","value":true},{"operatorType":"StringNotContains","key":"data.s","values":["q"]}]}`),
		[]byte(`{"data":{"b":[true,false],"s":["aq",1,null]}}`))
	f.Fuzz(func(t *testing.T, filter, event []byte) {
		var fl defs.EventSubscriptionFilter
		if json.Unmarshal(filter, &fl) != nil {
			return
		}
		s := defs.EventSubscription{Properties: &defs.EventSubscriptionProperties{Filter: &fl,
			Destination: &defs.EventSubscriptionDestination{EndpointType: "WebHook", Properties: &defs.WebHookProperties{}}}}
		if s.Validate() != nil {
			return
		}
		var ev map[string]any
		if json.Unmarshal(event, &ev) != nil {
			return
		}
		matches(&fl, ev)
	})
}
