package store

import (
	"errors"
	"time"
)

// ErrLeaseLost reports that a worker no longer holds the lease it names:
// the lease expired and another worker took the job, or the job left the
// queue (finished, canceled before it ran, or deleted). A worker that gets
// it must stop and write nothing more about the job.
var ErrLeaseLost = errors.New("store: lease lost")

// Queue priorities of QueuedJob.Priority: higher runs first.
const (
	PriorityLow    = 0
	PriorityNormal = 1
	PriorityHigh   = 2
)

// QueuedJob is one encoding job entering the queue. The job resource
// itself is a KindJob resource at (Scope, Name); the queue only holds what
// scheduling needs.
type QueuedJob struct {
	// Scope is the job's scope (its transform's Path); Name its name.
	Scope, Name string
	Priority    int
	// Created orders jobs of equal priority (oldest first).
	Created time.Time
}

// Lease is a worker's exclusive, time-limited hold on one queued job.
type Lease struct {
	Scope, Name string
	// Owner names the worker (node and slot); informational.
	Owner string
	// Row identifies the queue entry; entries are never reused, so a job
	// deleted and submitted again under the same name is a new row and
	// the old row's leases cannot pass as its own.
	Row int64
	// Token increases every time the job is leased. Every write a worker
	// makes about the job is checked against it (fencing), so a worker
	// whose lease expired cannot overwrite its successor's results.
	Token int64
	// Attempts counts leases of this job so far, this one included; a job
	// whose workers keep dying shows it growing.
	Attempts int
	Expires  time.Time
	// Cancel reports that cancelJob was called while the job was leased.
	Cancel bool
}

// Key returns the job's resource key.
func (l *Lease) Key() Key { return Key{Kind: KindJob, Scope: l.Scope, Name: l.Name} }
