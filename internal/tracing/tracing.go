package tracing

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
)

// Tracing is one node's tracer provider and exporter.
type Tracing struct {
	tp     *sdktrace.TracerProvider
	tracer trace.Tracer
	prop   propagation.TextMapPropagator
}

// Config selects the collector.
type Config struct {
	// Endpoint is the OTLP/HTTP traces URL, e.g.
	// http://collector:4318/v1/traces.
	Endpoint string
	// Service is service.name (default "lockstream"); Node is
	// service.instance.id.
	Service, Node string
	// SampleRatio is the share of new traces recorded (parent-based:
	// an incoming sampled trace is always followed); 0 means 1.
	SampleRatio float64
}

// New starts the exporter. Nothing is sent until spans end; export
// failures are the SDK's to log and never fail a request.
func New(ctx context.Context, c Config) (*Tracing, error) {
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(c.Endpoint))
	if err != nil {
		return nil, fmt.Errorf("tracing: exporter: %w", err)
	}
	if c.Service == "" {
		c.Service = "lockstream"
	}
	ratio := c.SampleRatio
	if ratio <= 0 || ratio > 1 {
		ratio = 1
	}
	res := resource.NewSchemaless(semconv.ServiceName(c.Service), semconv.ServiceInstanceID(c.Node))
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp, sdktrace.WithBatchTimeout(2*time.Second)),
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio))),
	)
	return &Tracing{tp: tp, tracer: tp.Tracer("github.com/lockstream/lockstream"),
		prop: propagation.TraceContext{}}, nil
}

// Close flushes the spans still queued and stops the exporter.
func (t *Tracing) Close(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.tp.Shutdown(ctx)
}

// Start begins a child span of ctx's span. Nil-safe: with tracing off it
// returns ctx and a no-op end.
func (t *Tracing) Start(ctx context.Context, name string) (context.Context, func(error)) {
	if t == nil {
		return ctx, func(error) {}
	}
	ctx, span := t.tracer.Start(ctx, name)
	return ctx, func(err error) {
		if err != nil {
			span.SetStatus(codes.Error, "failed")
		}
		span.End()
	}
}

// Hook is Start in the shape origin and key delivery take (no error).
func (t *Tracing) Hook() func(ctx context.Context, name string) (context.Context, func()) {
	if t == nil {
		return nil
	}
	return func(ctx context.Context, name string) (context.Context, func()) {
		ctx, end := t.Start(ctx, name)
		return ctx, func() { end(nil) }
	}
}

// Middleware opens the server span of each request of a listener,
// continuing the caller's trace (traceparent) when there is one. The
// span is named by the listener only; family is a bounded classifier
// (the metrics' route families) recorded as an attribute.
func (t *Tracing) Middleware(listener string, family func(*http.Request) string, next http.Handler) http.Handler {
	if t == nil {
		return next
	}
	name := listener + " request"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := t.prop.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		ctx, span := t.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.String("http.request.method", r.Method), attribute.String("lockstream.listener", listener),
				attribute.String("lockstream.route_family", family(r))))
		defer span.End()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(ctx))
		code := sw.status
		if code == 0 {
			code = http.StatusOK
		}
		span.SetAttributes(attribute.Int("http.response.status_code", code))
		if code >= 500 {
			span.SetStatus(codes.Error, http.StatusText(code))
		}
	})
}

// statusWriter remembers the status for the span.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
