package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lockstream/lockstream/internal/store"
)

// QueueSource reads the event queues' sizes (the store's QueueStats).
type QueueSource func(ctx context.Context) (store.QueueStats, error)

// AddQueues registers the event-queue gauges, read from src at scrape
// time (bounded by a short timeout; a failed read reports nothing and
// lockstream_event_queue_up 0).
func (m *Metrics) AddQueues(src QueueSource) {
	if m == nil {
		return
	}
	m.reg.MustRegister(&queueCollector{src: src})
}

var (
	queueUpDesc = prometheus.NewDesc(Namespace+"_event_queue_up",
		"1 when the event queues could be read at this scrape.", nil, nil)
	outboxDesc = prometheus.NewDesc(Namespace+"_event_outbox_pending",
		"Published events not yet fanned out to subscriptions.", nil, nil)
	outboxAgeDesc = prometheus.NewDesc(Namespace+"_event_outbox_oldest_age_seconds",
		"Age of the oldest event not yet fanned out (0 when none).", nil, nil)
	deliveriesDesc = prometheus.NewDesc(Namespace+"_event_deliveries",
		"Event deliveries by state (pending: to send or retry; dead: dead-lettered).", []string{"state"}, nil)
	lagDesc = prometheus.NewDesc(Namespace+"_event_delivery_lag_seconds",
		"How long the earliest due pending delivery has been waiting (0 when none is due).", nil, nil)
)

type queueCollector struct {
	src QueueSource
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{queueUpDesc, outboxDesc, outboxAgeDesc, deliveriesDesc, lagDesc} {
		ch <- d
	}
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	q, err := c.src(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(queueUpDesc, prometheus.GaugeValue, 0)
		return
	}
	now := time.Now()
	age := func(t time.Time) float64 {
		if t.IsZero() || t.After(now) {
			return 0
		}
		return now.Sub(t).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(queueUpDesc, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(outboxDesc, prometheus.GaugeValue, float64(q.OutboxPending))
	ch <- prometheus.MustNewConstMetric(outboxAgeDesc, prometheus.GaugeValue, age(q.OldestOutbox))
	ch <- prometheus.MustNewConstMetric(deliveriesDesc, prometheus.GaugeValue, float64(q.DeliveriesPending), "pending")
	ch <- prometheus.MustNewConstMetric(deliveriesDesc, prometheus.GaugeValue, float64(q.DeliveriesDead), "dead")
	ch <- prometheus.MustNewConstMetric(lagDesc, prometheus.GaugeValue, age(q.OldestDue))
}
