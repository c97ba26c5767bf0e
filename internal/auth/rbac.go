package auth

import "strings"

// Action is what a request does to a resource: Read, Write, Delete, or a
// named ARM action such as Action("listContentKeys").
type Action string

// The CRUD actions. Any other value is a named ARM action (POST .../name).
const (
	Read   Action = "read"
	Write  Action = "write"
	Delete Action = "delete"
)

// level is how much a role may do with one resource type. Write includes
// Read, Delete and every named action.
type level uint8

const (
	none level = iota
	read
	write
)

// Resource types Allowed knows, by their ARM collection segment. Tracks and
// live events are here too so that the API server never has to invent a
// mapping for them.
const (
	ResAccounts           = "mediaservices"
	ResAssets             = "assets"
	ResAssetFilters       = "assetFilters"
	ResTracks             = "tracks"
	ResAccountFilters     = "accountFilters"
	ResContentKeyPolicies = "contentKeyPolicies"
	ResStreamingPolicies  = "streamingPolicies"
	ResStreamingLocators  = "streamingLocators"
	ResStreamingEndpoints = "streamingEndpoints"
	ResTransforms         = "transforms"
	ResJobs               = "jobs"
	ResLiveEvents         = "liveEvents"
	ResLiveOutputs        = "liveOutputs"
	ResServicePrincipals  = "servicePrincipals"
	ResRoleAssignments    = "roleAssignments"
	// ResLicenseServers (Lockstream addition) hold DRM vendor secrets:
	// managed like content key policies.
	ResLicenseServers = "licenseServers"
	// ResKeyProviders (Lockstream addition) hold DRM vendor credentials
	// and decide where locators' keys come from: managed like license
	// servers.
	ResKeyProviders = "keyProviders"
	// ResEventSubscriptions are the account's Event Grid subscriptions
	// (…/providers/Microsoft.EventGrid/eventSubscriptions).
	ResEventSubscriptions = "eventSubscriptions"
)

// Resources returns every resource type of the matrix in a stable order.
func Resources() []string {
	return []string{
		ResAccounts, ResAssets, ResAssetFilters, ResTracks, ResAccountFilters,
		ResContentKeyPolicies, ResStreamingPolicies, ResStreamingLocators,
		ResStreamingEndpoints, ResTransforms, ResJobs, ResLiveEvents,
		ResLiveOutputs, ResServicePrincipals, ResRoleAssignments,
		ResLicenseServers,
		ResEventSubscriptions,
		ResKeyProviders,
	}
}

// globalResources are not inside any account: only ScopeAll assignments
// reach them. An Owner of one account must not be able to grant itself
// Owner of every account.
var globalResources = map[string]bool{ResServicePrincipals: true, ResRoleAssignments: true}

// matrix is the role × resource table; ROLES.md renders the same table and
// a test keeps the two in step. A resource missing from a role's row means
// no access.
var matrix = map[Role]map[string]level{
	RoleOwner: {
		ResAccounts: write, ResAssets: write, ResAssetFilters: write, ResTracks: write,
		ResAccountFilters: write, ResContentKeyPolicies: write, ResStreamingPolicies: write,
		ResStreamingLocators: write, ResStreamingEndpoints: write, ResTransforms: write,
		ResJobs: write, ResLiveEvents: write, ResLiveOutputs: write,
		ResServicePrincipals: write, ResRoleAssignments: write,
		ResLicenseServers:     write,
		ResEventSubscriptions: write,
		ResKeyProviders:       write,
	},
	// Contributor manages every media resource but not who has access.
	RoleContributor: {
		ResAccounts: write, ResAssets: write, ResAssetFilters: write, ResTracks: write,
		ResAccountFilters: write, ResContentKeyPolicies: write, ResStreamingPolicies: write,
		ResStreamingLocators: write, ResStreamingEndpoints: write, ResTransforms: write,
		ResJobs: write, ResLiveEvents: write, ResLiveOutputs: write,
		ResLicenseServers:     write,
		ResEventSubscriptions: write,
		ResKeyProviders:       write,
	},
	RoleReader: {
		ResAccounts: read, ResAssets: read, ResAssetFilters: read, ResTracks: read,
		ResAccountFilters: read, ResContentKeyPolicies: read, ResStreamingPolicies: read,
		ResStreamingLocators: read, ResStreamingEndpoints: read, ResTransforms: read,
		ResJobs: read, ResLiveEvents: read, ResLiveOutputs: read,
		ResServicePrincipals: read, ResRoleAssignments: read,
		ResLicenseServers:     read,
		ResEventSubscriptions: read,
		ResKeyProviders:       read,
	},
	// Account Administrator manages the account resource itself and can
	// see everything in it, like Azure's "Media Services Account
	// Administrator".
	RoleAccountAdministrator: {
		ResAccounts: write, ResAssets: read, ResAssetFilters: read, ResTracks: read,
		ResAccountFilters: read, ResContentKeyPolicies: read, ResStreamingPolicies: read,
		ResStreamingLocators: read, ResStreamingEndpoints: read, ResTransforms: read,
		ResJobs: read, ResLiveEvents: read, ResLiveOutputs: read,
		ResLicenseServers:     read,
		ResEventSubscriptions: read,
		ResKeyProviders:       read,
	},
	// Media Operator runs the media workflow: ingest, encode, filter,
	// publish. It reads streaming policies (a locator names one) and
	// streaming endpoints (to build URLs) but never touches content key
	// policies, which hold DRM secrets.
	RoleMediaOperator: {
		ResAccounts: read, ResAssets: write, ResAssetFilters: write, ResTracks: write,
		ResAccountFilters: write, ResStreamingPolicies: read, ResStreamingLocators: write,
		ResStreamingEndpoints: read, ResTransforms: write, ResJobs: write,
		// Event subscriptions are how a media workflow learns a job ended.
		ResEventSubscriptions: write,
	},
	// Policy Administrator owns content protection configuration and may
	// read locators to see where policies are used, but cannot list their
	// content keys (that needs write on locators).
	RolePolicyAdministrator: {
		ResAccounts: read, ResContentKeyPolicies: write, ResStreamingPolicies: write,
		ResStreamingLocators: read, ResLicenseServers: write, ResKeyProviders: write,
	},
	// Streaming Endpoint Administrator runs the origin fleet. It gets no
	// asset access: endpoints do not reference assets, and least privilege
	// wins over convenience.
	RoleStreamingEndpointAdministrator: {
		ResAccounts: read, ResStreamingEndpoints: write,
	},
}

// readActions are named actions that only read. Every other named action,
// including unknown ones, needs write.
var readActions = map[Action]bool{
	"listPaths":             true, // streaming URLs of a locator
	"listStreamingLocators": true, // locators of an asset
	"skus":                  true, // streaming endpoint SKUs
	"checkNameAvailability": true,
	"getDeliveryAttributes": true, // event subscription headers, secret values left out
}

// SecretActions are named actions that reveal secrets. They need write on
// their resource, like any named action not in the read list; they are
// listed so that a test can hold them out of the read list for good.
var SecretActions = []Action{"listContentKeys", "getPolicyPropertiesWithSecrets", "listContainerSas", "getEncryptionKey", "getFullUrl"}

// required returns the level an action needs.
func required(a Action) level {
	switch {
	case a == Read, readActions[a]:
		return read
	default:
		return write
	}
}

// Allowed reports whether p may perform action on a resource of the given
// type inside the account at accountPath (its ARM path, any casing; "" for
// the global identity resources and subscription-wide listings). It is a
// pure function: p.Roles must already be the principal's current
// assignments. Unknown resource types are denied to everyone.
//
// To list accounts across a subscription, call Allowed(p, eachAccountPath,
// "mediaservices", Read) per account and drop the rest.
func Allowed(p Principal, accountPath, resource string, action Action) bool {
	if action == "" {
		return false
	}
	if _, ok := matrix[RoleOwner][resource]; !ok {
		return false
	}
	if p.Owner {
		return true
	}
	acct := strings.ToLower(strings.TrimSuffix(accountPath, "/"))
	need := required(action)
	for _, ra := range p.Roles {
		if !scopeCovers(ra.Scope, acct, resource) {
			continue
		}
		if matrix[ra.Role][resource] >= need {
			return true
		}
	}
	return false
}

// scopeCovers reports whether an assignment scope reaches a resource in
// the account acct (already lower-cased).
func scopeCovers(scope, acct, resource string) bool {
	if scope == ScopeAll {
		return true
	}
	if globalResources[resource] || acct == "" {
		return false
	}
	return strings.ToLower(scope) == acct
}
