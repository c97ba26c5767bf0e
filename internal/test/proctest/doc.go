// Package proctest runs the helper servers tests need (SeaweedFS,
// Azurite) as child processes: it picks free loopback ports, starts the
// process with its output collected, waits until it is ready and stops
// it. Buffer, the collector, also serves tests that gather log output
// from many goroutines.
package proctest
