package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestDuplicateMembersRefused: a management body with a member given twice
// (options twice, a name twice inside an option) is refused with a 400
// naming the member and nothing is stored or changed; before, the last
// one won silently.
func TestDuplicateMembersRefused(t *testing.T) {
	ts := newTestServer(t)
	opt := `{"name":"o","configuration":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"},` +
		`"restriction":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyOpenRestriction"}}`
	for field, body := range map[string]string{
		"properties.options":         `{"properties":{"options":[` + opt + `],"options":[` + opt + `]}}`,
		"properties.options[0].name": `{"properties":{"options":[` + strings.Replace(opt, `"name":"o",`, `"name":"o","name":"p",`, 1) + `]}}`,
		"properties":                 `{"properties":{"options":[` + opt + `]},"properties":{}}`,
	} {
		r := ts.call(http.MethodPut, a("/contentKeyPolicies/dup"), body)
		if e := checkError(t, r, http.StatusBadRequest, "InvalidRequestContent"); e.Error.Target != field || !strings.Contains(e.Error.Message, field) {
			t.Errorf("%s: target %q message %q", field, e.Error.Target, e.Error.Message)
		}
		if r := ts.call(http.MethodGet, a("/contentKeyPolicies/dup"), ""); r.Status != http.StatusNotFound {
			t.Fatalf("%s: stored anyway: %d", field, r.Status)
		}
	}
	// PATCH and other resources go through the same check.
	ts.mustDo(http.MethodPut, a("/assets/a1"), `{"properties":{}}`, http.StatusOK, http.StatusCreated)
	r := ts.call(http.MethodPatch, a("/assets/a1"), `{"properties":{"description":"x","description":"y"}}`)
	if e := checkError(t, r, http.StatusBadRequest, "InvalidRequestContent"); e.Error.Target != "properties.description" {
		t.Errorf("PATCH: target %q", e.Error.Target)
	}
	if r := ts.mustDo(http.MethodGet, a("/assets/a1"), "", http.StatusOK); strings.Contains(string(r.Body), `"description":"y"`) {
		t.Error("PATCH with a duplicate applied")
	}
}
