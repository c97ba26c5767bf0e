package core_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// mgmtCall returns a management API caller with the bearer token tok: it
// adds the api-version, fails the test on any status ≥ 300 and returns the
// body.
func mgmtCall(t testing.TB, tok string) func(method, u, body string) []byte {
	return func(method, u, body string) []byte {
		t.Helper()
		req, _ := http.NewRequest(method, u+"?api-version=2022-08-01", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %s", method, u, resp.StatusCode, b)
		}
		return b
	}
}

// uploadSAS creates the account acct and an asset in it and returns a
// read-write container SAS URL for the asset, as AMS upload code gets one.
func uploadSAS(t testing.TB, call func(method, u, body string) []byte, acct, asset string) string {
	t.Helper()
	call(http.MethodPut, acct, `{"location":"local","properties":{}}`)
	call(http.MethodPut, acct+"/assets/"+asset, `{"properties":{}}`)
	var sas struct {
		URLs []string `json:"assetContainerSasUrls"`
	}
	expiry := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	if err := json.Unmarshal(call(http.MethodPost, acct+"/assets/"+asset+"/listContainerSas",
		`{"permissions":"ReadWrite","expiryTime":"`+expiry+`"}`), &sas); err != nil || len(sas.URLs) == 0 {
		t.Fatalf("listContainerSas: %v %v", sas, err)
	}
	return sas.URLs[0]
}
