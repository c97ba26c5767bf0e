package defs_test

import (
	"testing"

	"github.com/lockstream/lockstream/internal/defs"
)

func TestWebhookBaseURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://h.example.com/api/in?code=secret": "https://h.example.com/api/in",
		"https://h.example.com/in?":                "https://h.example.com/in",
		"http://h:8080/#frag":                      "http://h:8080/",
	} {
		if got := defs.WebhookBaseURL(in); got != want {
			t.Errorf("WebhookBaseURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzDecodeEventSubscription: decoding and validating any body never
// panics, and what decodes re-encodes stably.
func FuzzDecodeEventSubscription(f *testing.F) {
	f.Add([]byte(`{"properties":{"destination":{"endpointType":"WebHook","properties":{"endpointUrl":"https://h/x?c=1","maxEventsPerBatch":10}},"filter":{"advancedFilters":[{"operatorType":"NumberIn","key":"data.p","values":[1,2]}]}}}`))
	f.Add([]byte(`{"properties":{"destination":{"endpointType":"WebHook","properties":{"deliveryAttributeMappings":[{"name":"X","type":"Dynamic","properties":{"sourceField":"data.a"}},null]}},"retryPolicy":{"maxDeliveryAttempts":0}}}`))
	f.Add([]byte(`{"properties":{"filter":{"advancedFilters":[{"operatorType":"BoolEquals","key":"k"},{"operatorType":"StringIn","key":"k","values":[null]}]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkStable(t, data, func(s *defs.EventSubscription) any { return s })
	})
}
