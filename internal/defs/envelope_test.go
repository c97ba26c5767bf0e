package defs_test

import (
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
)

func TestErrorResponseShape(t *testing.T) {
	e := defs.ErrorResponse{Error: defs.ErrorDetail{Code: "ResourceNotFound", Message: "The asset 'a' was not found."}}
	requireSameJSON(t, []byte(`{"error":{"code":"ResourceNotFound","message":"The asset 'a' was not found."}}`), mustJSON(t, e))

	full := []byte(`{"error":{"code":"BadRequest","message":"bad","target":"properties.options[0]",
		"details":[{"code":"InvalidParameter","message":"inner"}],
		"additionalInfo":[{"type":"PolicyViolation","info":{"policy":"x"}}]}}`)
	roundTrip[defs.ErrorResponse](t, full)
}

func TestAsyncOperationResult(t *testing.T) {
	inProgress := []byte(`{"name":"62e4d893-d233-4005-988e-a428d9f77076","status":"InProgress","error":{"code":"None","message":""}}`)
	r := roundTrip[defs.AsyncOperationResult](t, inProgress)
	if r.Status != defs.AsyncOperationStatusInProgress {
		t.Fatalf("status %q", r.Status)
	}
	requireSameJSON(t, []byte(`{"name":"op","status":"Succeeded"}`),
		mustJSON(t, defs.AsyncOperationResult{Name: "op", Status: defs.AsyncOperationStatusSucceeded}))

	roundTrip[defs.OperationStatus](t, []byte(`{"id":"/x/op","name":"op","status":"Succeeded",
		"startTime":"2021-11-01T00:00:00.0000000Z","endTime":"2021-11-01T00:00:01.0000000Z"}`))
}

func TestCollection(t *testing.T) {
	requireSameJSON(t, []byte(`{"value":[]}`), mustJSON(t, defs.Collection[defs.Asset]{}))

	page := defs.Collection[defs.Asset]{
		Value:    []defs.Asset{{Name: "a1", Properties: &defs.AssetProperties{AlternateID: "x"}}},
		NextLink: "https://api.lockstream.test/subscriptions/s/resourceGroups/rg/providers/Microsoft.Media/mediaServices/acct/assets?api-version=2023-01-01&$skiptoken=a1",
	}
	data := mustJSON(t, page)
	requireSameJSON(t, []byte(`{"value":[{"name":"a1","properties":{"alternateId":"x"}}],
		"@odata.nextLink":"https://api.lockstream.test/subscriptions/s/resourceGroups/rg/providers/Microsoft.Media/mediaServices/acct/assets?api-version=2023-01-01&$skiptoken=a1"}`), data)
	back := decode[defs.Collection[defs.Asset]](t, data)
	if back.NextLink != page.NextLink || len(back.Value) != 1 {
		t.Fatalf("decoded %+v", back)
	}

	// Unions decode inside collections too.
	ckps := decode[defs.Collection[defs.ContentKeyPolicy]](t, []byte(`{"value":[`+string(sample(t, "content_key_policy.json"))+`]}`))
	if len(ckps.Value) != 1 || len(ckps.Value[0].Properties.Options) != 4 {
		t.Fatalf("decoded %+v", ckps)
	}
}

func TestSystemData(t *testing.T) {
	sd := defs.SystemData{
		CreatedBy: "a", CreatedByType: defs.CreatedByTypeApplication,
		CreatedAt: defs.NewTime(time.Date(2020, 1, 2, 3, 4, 5, 600, time.UTC)),
	}
	requireSameJSON(t, []byte(`{"createdBy":"a","createdByType":"Application","createdAt":"2020-01-02T03:04:05.0000006Z"}`), mustJSON(t, sd))
	if *defs.Ptr(int32(3)) != 3 {
		t.Fatal("Ptr")
	}
}

func TestDecodeErrors(t *testing.T) {
	requireFieldError(t, defs.Decode([]byte(`{"properties":`), new(defs.Asset)), "", "malformed JSON")
	requireFieldError(t, defs.Decode([]byte(`[]`), new(defs.Asset)), "", "must be an object")
	requireFieldError(t, defs.Decode([]byte(`{"properties":{"description":5}}`), new(defs.Asset)), "properties.description", "must be a string")
	requireFieldError(t, defs.Decode([]byte(`{"properties":{"scaleUnits":"1"}}`), new(defs.StreamingEndpoint)), "properties.scaleUnits", "32-bit integer")
	requireFieldError(t, defs.Decode([]byte(`{"properties":{"scaleUnits":1.5}}`), new(defs.StreamingEndpoint)), "properties.scaleUnits", "32-bit integer")
	requireFieldError(t, defs.Decode([]byte(`{"properties":{"cdnEnabled":"yes"}}`), new(defs.StreamingEndpoint)), "properties.cdnEnabled", "boolean")
	requireFieldError(t, defs.Decode([]byte(`{"properties":{"filters":"f"}}`), new(defs.StreamingLocator)), "properties.filters", "array")
}

func TestFieldErrorMessage(t *testing.T) {
	e := &defs.FieldError{Field: "properties.options[1].restriction.issuer", Msg: "is required"}
	if e.Error() != "properties.options[1].restriction.issuer: is required" {
		t.Fatal(e.Error())
	}
	if (&defs.FieldError{Msg: "malformed JSON"}).Error() != "malformed JSON" {
		t.Fatal("empty field")
	}
}
