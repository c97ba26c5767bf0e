package core_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/conf"
)

// TestMetricsJobs: a job submitted on an API node shows in that node's
// job-queue gauges as queued (no node encodes it yet); an encode node on
// the same store then runs it, reports its encoding gauges, and once the
// job is final the queue is empty. No label names the job, transform or
// asset.
func TestMetricsJobs(t *testing.T) {
	dir := t.TempDir()
	c := testConf(t, dir)
	c.Roles = []string{conf.RoleAPI}
	c.Demo.Enabled = false
	c.Metrics.Listen = "127.0.0.1:0"
	n := start(t, c)
	api := "http://" + n.Addr("api")
	tok := token(t, api)
	acct := api + "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Media/mediaServices/jobmetrics"
	call := mgmtCall(t, tok)
	call(http.MethodPut, acct, `{"location":"local","properties":{}}`)
	call(http.MethodPut, acct+"/assets/SecretInputName", `{"properties":{}}`)
	call(http.MethodPut, acct+"/assets/SecretOutputName", `{"properties":{}}`)
	call(http.MethodPut, acct+"/transforms/SecretTransformName", `{"properties":{"outputs":[{"preset":{"@odata.type":"#Microsoft.Media.BuiltInStandardEncoderPreset","presetName":"AdaptiveStreaming"}}]}}`)
	job := acct + "/transforms/SecretTransformName/jobs/SecretJobName"
	call(http.MethodPut, job, `{"properties":{"input":{"@odata.type":"#Microsoft.Media.JobInputAsset","assetName":"SecretInputName"},`+
		`"outputs":[{"@odata.type":"#Microsoft.Media.JobOutputAsset","assetName":"SecretOutputName"}]}}`)

	fams, text := scrape(t, n.Addr("metrics"))
	for _, tc := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"lockstream_job_queue_up", nil, 1},
		{"lockstream_job_queue_jobs", map[string]string{"state": "queued"}, 1},
		{"lockstream_job_queue_jobs", map[string]string{"state": "leased"}, 0},
		{"lockstream_job_queue_jobs", map[string]string{"state": "canceling"}, 0},
	} {
		if v, ok := value(fams, tc.name, tc.labels); !ok || v != tc.want {
			t.Errorf("API node: %s%v = %v (found %v), want %v", tc.name, tc.labels, v, ok, tc.want)
		}
	}
	if v, ok := value(fams, "lockstream_job_queue_oldest_queued_age_seconds", nil); !ok || v < 0 {
		t.Errorf("oldest queued age = %v (found %v)", v, ok)
	}
	if _, ok := fams["lockstream_encode_jobs_running"]; ok {
		t.Error("a node without the encode role reports encoding gauges")
	}
	checkNoNames(t, text)
	if err := n.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	// The encode node on the same data directory (store) runs the job:
	// its input asset has no file, so it ends in Error.
	ec := testConf(t, dir)
	ec.Roles = []string{conf.RoleEncode}
	ec.Demo.Enabled = false
	ec.Metrics.Listen = "127.0.0.1:0"
	ec.Encode.Workers = 2
	en := start(t, ec)
	defer en.Close(context.Background())
	n2 := start(t, c) // the API again, to watch the job
	defer n2.Close(context.Background())
	api = "http://" + n2.Addr("api")
	call = mgmtCall(t, token(t, api)) // the issuer follows the new node's address
	job = strings.Replace(job, acct[:strings.Index(acct, "/subscriptions")], api, 1)
	var state string
	for deadline := time.Now().Add(2 * time.Minute); ; {
		var j struct {
			Properties struct {
				State string `json:"state"`
			} `json:"properties"`
		}
		if err := json.Unmarshal(call(http.MethodGet, job, ""), &j); err != nil {
			t.Fatal(err)
		}
		state = j.Properties.State
		if state == "Finished" || state == "Error" || state == "Canceled" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job still %s", state)
		}
		time.Sleep(100 * time.Millisecond)
	}
	fams, text = scrape(t, en.Addr("metrics"))
	for _, tc := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"lockstream_job_queue_up", nil, 1},
		{"lockstream_job_queue_jobs", map[string]string{"state": "queued"}, 0},
		{"lockstream_job_queue_jobs", map[string]string{"state": "leased"}, 0},
		{"lockstream_job_queue_oldest_queued_age_seconds", nil, 0},
		{"lockstream_encode_workers", nil, 2},
	} {
		if v, ok := value(fams, tc.name, tc.labels); !ok || v != tc.want {
			t.Errorf("encode node after the job (%s): %s%v = %v (found %v), want %v", state, tc.name, tc.labels, v, ok, tc.want)
		}
	}
	// Running and progress are read live: the worker may still be
	// cleaning up after the final write, so only their range is fixed.
	if v, ok := value(fams, "lockstream_encode_jobs_running", nil); !ok || v < 0 || v > 1 {
		t.Errorf("encode_jobs_running = %v (found %v)", v, ok)
	}
	if v, ok := value(fams, "lockstream_encode_progress_ratio", nil); !ok || v < 0 || v > 1 {
		t.Errorf("encode_progress_ratio = %v (found %v)", v, ok)
	}
	checkNoNames(t, text)
}

func checkNoNames(t *testing.T, text string) {
	t.Helper()
	for _, name := range []string{"Secret", "jobmetrics"} {
		if strings.Contains(text, name) {
			t.Errorf("/metrics names a resource (%q)", name)
		}
	}
}
