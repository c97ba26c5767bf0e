// Package jobs is the encoding job engine: it runs the jobs the management
// API queues (transforms/{t}/jobs/{j}) through ffmpeg (package encode).
//
// # Queue and leases
//
// A job's resource lives in the store with its AMS state; a queue row
// (store.QueuedJob, migration 0003) exists while it waits or runs. Every
// node running the encode role has Workers goroutines that lease rows
// (store.Store.LeaseJob: priority, then age; PostgreSQL hands concurrent
// leasers different rows with FOR UPDATE SKIP LOCKED). A worker renews its
// lease every second while the job runs and learns of cancelJob from the
// renewal. Every write a worker makes about a job (state, progress, the
// final result) runs in a transaction that first checks the lease's queue
// row and token (store.Tx.HoldsLease), so a worker whose lease expired — a node that
// stalled, then woke up — cannot overwrite what its successor wrote.
//
// A node that dies mid-job leaves its lease to expire; the next worker to
// lease the job runs it again from the start (outputs are uploaded only
// once encoded, so nothing half-written was published), and after
// MaxAttempts leases the job ends in Error (ServiceError) instead of
// looping: never stuck in Processing, never run by two workers at once.
//
// # One job
//
// Queued → Scheduled → Processing → Finished | Error, or → Canceling →
// Canceled. Inputs are copied into a per-job scratch directory (asset
// blobs through package blob, HTTP inputs through the outbound guard with
// size and time limits), probed with ffprobe (their duration bounds the
// encode time), then each transform output is encoded into its own scratch
// directory with encode.Encoder and uploaded to the output asset's
// container with the blob store's atomic writes — media first, manifests
// last — before the output is marked Finished. Cancellation or a timeout
// stops ffmpeg through its context; the scratch directory is always
// removed. Failures become AMS JobErrors (code, category, retry, a message
// a user can act on) on the outputs they concern.
//
// A node whose encoder cannot start (no ffmpeg) leases nothing: it logs
// why once and reports it in Status, so jobs wait for a node that can run
// them instead of failing.
package jobs
