package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lockstream/lockstream/internal/store"
)

// JobQueueSource reads the encoding job queue by state as of now (the
// store's JobQueueStats).
type JobQueueSource func(ctx context.Context, now time.Time) (store.JobQueueStats, error)

// EncodeStats is one node's encoding load (what jobs.Engine.Stats
// reports; core converts).
type EncodeStats struct {
	Workers, Running int
	Progress         float64 // mean progress, 0 to 1, of the outputs being encoded
}

// AddJobQueue registers the job-queue gauges, read from src at scrape
// time (bounded by a short timeout; a failed read reports nothing and
// lockstream_job_queue_up 0). The queue is shared by all nodes on the
// store, so every node reports the same numbers: aggregate with max, not
// sum.
func (m *Metrics) AddJobQueue(src JobQueueSource) {
	if m == nil {
		return
	}
	m.reg.MustRegister(&jobQueueCollector{src: src})
}

// AddEncoder registers this node's encoding gauges, read from src at
// scrape time. No label names a job, transform or asset: per-job detail
// is in the job documents, and labels must stay few.
func (m *Metrics) AddEncoder(src func() EncodeStats) {
	if m == nil {
		return
	}
	m.reg.MustRegister(&encodeCollector{src: src})
}

var (
	jobQueueUpDesc = prometheus.NewDesc(Namespace+"_job_queue_up",
		"1 when the encoding job queue could be read at this scrape.", nil, nil)
	jobQueueDesc = prometheus.NewDesc(Namespace+"_job_queue_jobs",
		"Encoding jobs in the shared queue by state (queued: waiting for a node; leased: running on a node; canceling: cancel requested, not yet acted on).", []string{"state"}, nil)
	jobQueueAgeDesc = prometheus.NewDesc(Namespace+"_job_queue_oldest_queued_age_seconds",
		"Age of the oldest job waiting for a node (0 when none).", nil, nil)
	encodeWorkersDesc = prometheus.NewDesc(Namespace+"_encode_workers",
		"Jobs this node may encode at once (0 when its encoder is unavailable).", nil, nil)
	encodeRunningDesc = prometheus.NewDesc(Namespace+"_encode_jobs_running",
		"Jobs this node is encoding now.", nil, nil)
	encodeProgressDesc = prometheus.NewDesc(Namespace+"_encode_progress_ratio",
		"Mean progress (0 to 1) of the outputs this node is encoding now (0 when none).", nil, nil)
)

type jobQueueCollector struct {
	src JobQueueSource
}

func (c *jobQueueCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{jobQueueUpDesc, jobQueueDesc, jobQueueAgeDesc} {
		ch <- d
	}
}

func (c *jobQueueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	now := time.Now()
	q, err := c.src(ctx, now)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(jobQueueUpDesc, prometheus.GaugeValue, 0)
		return
	}
	age := 0.0
	if !q.OldestQueued.IsZero() && q.OldestQueued.Before(now) {
		age = now.Sub(q.OldestQueued).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(jobQueueUpDesc, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(jobQueueDesc, prometheus.GaugeValue, float64(q.Queued), "queued")
	ch <- prometheus.MustNewConstMetric(jobQueueDesc, prometheus.GaugeValue, float64(q.Leased), "leased")
	ch <- prometheus.MustNewConstMetric(jobQueueDesc, prometheus.GaugeValue, float64(q.Canceling), "canceling")
	ch <- prometheus.MustNewConstMetric(jobQueueAgeDesc, prometheus.GaugeValue, age)
}

type encodeCollector struct {
	src func() EncodeStats
}

func (c *encodeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{encodeWorkersDesc, encodeRunningDesc, encodeProgressDesc} {
		ch <- d
	}
}

func (c *encodeCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.src()
	ch <- prometheus.MustNewConstMetric(encodeWorkersDesc, prometheus.GaugeValue, float64(s.Workers))
	ch <- prometheus.MustNewConstMetric(encodeRunningDesc, prometheus.GaugeValue, float64(s.Running))
	ch <- prometheus.MustNewConstMetric(encodeProgressDesc, prometheus.GaugeValue, s.Progress)
}
