package store

import (
	"context"
	"errors"
	"time"
)

// Errors returned by every backend. Callers test them with errors.Is.
var (
	ErrNotFound   = errors.New("store: not found")
	ErrConflict   = errors.New("store: already exists")
	ErrReferenced = errors.New("store: still referenced")
	// ErrStale reports an optimistic-concurrency failure on Replace.
	ErrStale = errors.New("store: version mismatch")
)

// Kind names a resource type by its ARM collection segment.
type Kind string

// Resource kinds.
const (
	KindAccount           Kind = "mediaservices"
	KindAsset             Kind = "assets"
	KindAssetFilter       Kind = "assetFilters"
	KindAccountFilter     Kind = "accountFilters"
	KindContentKeyPolicy  Kind = "contentKeyPolicies"
	KindStreamingPolicy   Kind = "streamingPolicies"
	KindStreamingLocator  Kind = "streamingLocators"
	KindStreamingEndpoint Kind = "streamingEndpoints"
	KindTransform         Kind = "transforms"
	KindJob               Kind = "jobs"
	KindTrack             Kind = "tracks"
	// KindLicenseServer is a Lockstream addition: an account's DRM
	// license servers (package license/settings).
	KindLicenseServer Kind = "licenseServers"
	// KindKeyProvider is a Lockstream addition: an account's CPIX/SPEKE
	// key providers (package keyprovider).
	KindKeyProvider Kind = "keyProviders"
)

// Key identifies one resource. Scope is the lower-cased ARM path of the
// parent (for an asset: "/subscriptions/s/resourcegroups/rg/providers/
// microsoft.media/mediaservices/acct"; for an account: "/subscriptions/s/
// resourcegroups/rg"). Name is compared case-insensitively.
type Key struct {
	Kind  Kind
	Scope string
	Name  string
}

// Path returns the lower-cased ARM path of the resource itself, which is the
// Scope of its children. An account's ARM path carries the provider
// namespace after its resource group scope (".../resourcegroups/rg/
// providers/microsoft.media/mediaservices/acct"); nested resources append
// "/<kind>/<name>" to their parent's path.
func (k Key) Path() string {
	if k.Kind == KindAccount {
		return k.Scope + "/providers/microsoft.media/" + lower(string(k.Kind)) + "/" + lower(k.Name)
	}
	return k.Scope + "/" + lower(string(k.Kind)) + "/" + lower(k.Name)
}

// Resource is one stored resource.
type Resource struct {
	Kind  Kind
	Scope string
	// Name keeps the caller's casing; uniqueness is case-insensitive.
	Name string
	// ID is a secondary identifier unique per kind (assetId, policyId,
	// streamingLocatorId); empty when the kind has none.
	ID string
	// Created and Modified are set by the caller (the API layer owns time).
	Created  time.Time
	Modified time.Time
	// Doc is the JSON document of the resource's public state (the ARM
	// "properties" object plus envelope fields the API layer chooses).
	// Time values in Doc use FormatTime so that text comparison orders them.
	Doc []byte
	// Meta is a JSON object with envelope fields that are not properties
	// (location, tags, sku, identity, createdBy…); nil when empty.
	Meta []byte
	// Secret is an opaque sealed blob (see package keys) holding secret
	// fields; nil when the resource has none.
	Secret []byte
	// Version increases on every write; Replace checks it when non-zero.
	Version int64
}

// Key returns the resource's key.
func (r *Resource) Key() Key { return Key{Kind: r.Kind, Scope: r.Scope, Name: r.Name} }

// Ref is a reference from one resource to another. A resource with incoming
// references from outside the set being deleted cannot be deleted.
type Ref = Key

// ContentKey is one content key of a streaming locator. Value is sealed.
type ContentKey struct {
	// Scope is the account path (same as the locator's Scope).
	Scope       string
	LocatorName string // locator name as given
	LocatorID   string // streamingLocatorId, lower-case uuid
	KID         string // lower-case uuid
	Type        string // CommonEncryptionCenc | CommonEncryptionCbcs | EnvelopeEncryption
	Label       string
	PolicyName  string
	Tracks      []byte // JSON array of TrackSelection, or nil
	Sealed      []byte // KEK-sealed 16-byte key
}

// SealedItem is a sealed blob stored somewhere in the store, used when
// re-wrapping every secret under a new key-encryption key.
type SealedItem struct {
	// Table and RowID locate the blob; they are opaque to callers.
	Table string
	RowID string
	// AAD is the associated data the blob was sealed with. Backends derive
	// it from the row, so it is stable for the row's lifetime:
	//   - Resource.Secret: "res:<kind>:<scope>:<lower(name)>" (ResourceAAD)
	//   - ContentKey.Sealed: "ck:<scope>:<lower(locatorName)>:<kid>"
	//     (ContentKeyAAD)
	//   - User.Secret: "user:<lower(name)>" (UserAAD)
	//   - CPIXKey.Sealed: "cpix:<scope>:<kid>" (CPIXKeyAAD)
	// Writers must seal with the same helpers, or re-wrapping breaks.
	AAD    string
	Sealed []byte
}

// Reader holds the read operations, available inside and outside
// transactions.
type Reader interface {
	// Get returns ErrNotFound when the resource does not exist.
	Get(ctx context.Context, k Key) (*Resource, error)
	// GetByID finds a resource by its secondary ID.
	GetByID(ctx context.Context, kind Kind, id string) (*Resource, error)
	// List returns at most q.Limit resources matching q, in q's order,
	// strictly after q.After when set (keyset paging).
	List(ctx context.Context, q ListQuery) ([]*Resource, error)
	// Referrers lists resources referencing k (or any of its descendants)
	// from outside k's subtree; at most limit entries.
	Referrers(ctx context.Context, k Key, limit int) ([]Key, error)
	// ContentKeys lists a locator's content keys in insertion order.
	ContentKeys(ctx context.Context, scope, locatorName string) ([]ContentKey, error)
	// ContentKeysByKID lists every content key with that key id.
	ContentKeysByKID(ctx context.Context, kid string) ([]ContentKey, error)
	// GetUser returns a user of the security token service with its
	// groups; ErrNotFound when absent. Names compare case-insensitively.
	GetUser(ctx context.Context, name string) (*User, error)
	// ListUsers returns at most limit users (all when limit <= 0) with
	// their groups, ordered by NameKey, strictly after the name after
	// ("" for the first page).
	ListUsers(ctx context.Context, after string, limit int) ([]*User, error)
	// CPIXKey returns the key-exchange key with that kid in the account
	// (scope); ErrNotFound when absent.
	CPIXKey(ctx context.Context, scope, kid string) (*CPIXKey, error)
	// CPIXKeysByContent lists an account's key-exchange keys of one
	// content id in insertion order.
	CPIXKeysByContent(ctx context.Context, scope, contentID string) ([]CPIXKey, error)
}

// Tx is a transaction: reads plus writes.
type Tx interface {
	Reader
	// Create inserts r with refs; ErrConflict when (kind, scope, lower(name))
	// or (kind, ID) is taken. Sets r.Version to 1.
	Create(ctx context.Context, r *Resource, refs []Ref) error
	// Replace overwrites an existing resource and its refs; ErrNotFound when
	// absent, ErrStale when r.Version is non-zero and differs. Bumps Version.
	Replace(ctx context.Context, r *Resource, refs []Ref) error
	// Delete removes k, its descendants (by scope prefix), their refs and
	// content keys. ErrNotFound when absent, ErrReferenced (wrapped, naming
	// a referrer) when something outside the subtree still refers to it.
	Delete(ctx context.Context, k Key) error
	// PutContentKeys stores keys for one locator.
	PutContentKeys(ctx context.Context, keys []ContentKey) error
	// SealedItems returns sealed blobs after the cursor (RowID order within
	// table order), at most limit; UpdateSealed replaces one.
	SealedItems(ctx context.Context, afterTable, afterRowID string, limit int) ([]SealedItem, error)
	UpdateSealed(ctx context.Context, it SealedItem) error
	// CreateUser inserts u (its Groups are ignored); ErrConflict when its
	// name or ID is taken. Sets u.Version to 1.
	CreateUser(ctx context.Context, u *User) error
	// ReplaceUser overwrites a user's DisplayName, Secret, Claims and
	// Modified (not its ID, Created or groups); ErrNotFound when absent,
	// ErrStale when u.Version is non-zero and differs. Bumps Version.
	ReplaceUser(ctx context.Context, u *User) error
	// DeleteUser removes a user and its memberships; ErrNotFound when
	// absent.
	DeleteUser(ctx context.Context, name string) error
	// AddGroup makes a user a member of group (a no-op when it already
	// is); ErrNotFound when the user does not exist.
	AddGroup(ctx context.Context, name, group string) error
	// RemoveGroup ends a membership; ErrNotFound when the user does not
	// exist or is not a member.
	RemoveGroup(ctx context.Context, name, group string) error
	// EnqueueJob adds a job to the encoding queue (in the transaction that
	// creates the job resource); ErrConflict when it is queued already.
	// Deleting the job, or anything above it, removes its queue entry.
	EnqueueJob(ctx context.Context, j QueuedJob) error
	// SetJobPriority changes a queued job's priority; ErrNotFound when the
	// job is not in the queue (it finished or was never queued).
	SetJobPriority(ctx context.Context, scope, name string, priority int) error
	// CancelQueuedJob marks a queued job canceled. A job no worker holds
	// at now (never leased, released, or its lease expired: the worker
	// died) leaves the queue at once (leased false); a leased one keeps its
	// entry and its worker learns of the cancel from RenewLease (leased
	// true). ErrNotFound when the job is not in the queue.
	CancelQueuedJob(ctx context.Context, scope, name string, now time.Time) (leased bool, err error)
	// HoldsLease returns ErrLeaseLost unless l is still the job's current
	// lease. Inside a transaction it fences the transaction's other
	// writes: they commit only if the lease was held at commit.
	HoldsLease(ctx context.Context, l Lease) error
	// FinishJob removes a leased job from the queue (its final state is
	// written in the same transaction); ErrLeaseLost unless l is current.
	FinishJob(ctx context.Context, l Lease) error
	// PutCPIXKey stores k unless its (scope, kid) is taken, and returns
	// the stored row either way: the caller compares ContentID and uses
	// the stored value, so concurrent requests for one kid agree. The
	// account must exist (deleting it removes its keys).
	PutCPIXKey(ctx context.Context, k *CPIXKey) (*CPIXKey, error)
	// EventTx: the events outbox and its fan-out (events.go).
	EventTx
}

// Store is a metadata store backend.
type Store interface {
	Reader
	// WithTx runs fn in one transaction, committing when fn returns nil.
	// Backends may retry fn on serialization failures, so fn must be
	// idempotent apart from its Tx calls.
	WithTx(ctx context.Context, fn func(Tx) error) error
	// UseToken counts one use of the token identified by id and returns
	// its uses so far, this one included, as one atomic statement: exact
	// however many processes share the store. A token whose row expired
	// at or before now starts again at 1. expires is kept as the later of
	// the stored and the given expiry. It runs outside any transaction.
	UseToken(ctx context.Context, id [32]byte, expires, now time.Time) (int64, error)
	// SweepTokenUses deletes at most limit (all when limit <= 0) counters
	// that expired at or before now and returns how many it deleted.
	SweepTokenUses(ctx context.Context, now time.Time, limit int) (int64, error)
	// LeaseJob gives owner the next job of the encoding queue until
	// now+ttl: the highest priority, then the oldest, among jobs never
	// leased or whose lease expired at or before now. Concurrent callers,
	// in this process or others sharing the store, never get the same job
	// while its lease runs. ErrNotFound when no job is ready. Each lease
	// increments the job's Attempts and Token. It runs outside any
	// transaction.
	LeaseJob(ctx context.Context, owner string, now time.Time, ttl time.Duration) (*Lease, error)
	// RenewLease extends l to now+ttl and refreshes l.Cancel and
	// l.Expires; ErrLeaseLost when l is no longer current.
	RenewLease(ctx context.Context, l *Lease, now time.Time, ttl time.Duration) error
	// ReleaseJob gives a leased job back to the queue at once, without
	// counting the attempt (a node shutting down); ErrLeaseLost unless l
	// is current.
	ReleaseJob(ctx context.Context, l Lease) error
	// DeliveryQueue: leased event deliveries (events.go).
	DeliveryQueue
	Ping(ctx context.Context) error
	Close() error
}
