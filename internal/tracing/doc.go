// Package tracing is Lockstream's OpenTelemetry tracing: an OTLP/HTTP
// exporter (off by default, --otel-endpoint), a server span per request
// with W3C trace-context propagation, and child spans for the metadata
// store, the blob store, packaging/encryption at the origin and policy
// evaluation at key delivery.
//
// Off means nil: no provider, no middleware, no wrappers, and the hooks
// in origin and key delivery stay nil, so requests pay nothing. The
// provider is the node's own (never otel's global), like the metrics
// registry. Span names and attributes come from fixed sets: never a
// path, a key, a token or a name.
package tracing
