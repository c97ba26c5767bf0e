package defs

import "encoding/json"

// Event subscription (Microsoft.EventGrid/eventSubscriptions, api-version
// 2022-06-15) on a media services account: the subset Lockstream serves
// (WebHook destinations, StorageBlob dead-lettering into Lockstream's own
// blob store).

// Delivery schemas.
const (
	SchemaEventGrid   = "EventGridSchema"
	SchemaCloudEvents = "CloudEventSchemaV1_0"
)

// Provisioning states of a subscription.
const (
	SubscriptionCreating             = "Creating"
	SubscriptionUpdating             = "Updating"
	SubscriptionSucceeded            = "Succeeded"
	SubscriptionFailed               = "Failed"
	SubscriptionAwaitingManualAction = "AwaitingManualAction"
)

// Limits and defaults from the Event Grid spec.
const (
	DefaultMaxDeliveryAttempts   = 30
	DefaultEventTTLMinutes       = 1440
	DefaultMaxEventsPerBatch     = 1
	DefaultPreferredBatchSizeKiB = 64
	maxAdvancedFilters           = 25
	maxFilterValues              = 25
	maxDeliveryAttributes        = 10
	maxAttributeValue            = 4096
)

// EventSubscription is the ARM resource.
type EventSubscription struct {
	ID         string                       `json:"id,omitempty"`
	Name       string                       `json:"name,omitempty"`
	Type       string                       `json:"type,omitempty"`
	SystemData *SystemData                  `json:"systemData,omitempty"`
	Properties *EventSubscriptionProperties `json:"properties,omitempty"`
}

// EventSubscriptionProperties are the subscription's properties.
type EventSubscriptionProperties struct {
	// Read-only.
	Topic             string `json:"topic,omitempty"`
	ProvisioningState string `json:"provisioningState,omitempty"`

	Destination           *EventSubscriptionDestination `json:"destination,omitempty"`
	Filter                *EventSubscriptionFilter      `json:"filter,omitempty"`
	Labels                []string                      `json:"labels,omitempty"`
	ExpirationTimeUtc     *Time                         `json:"expirationTimeUtc,omitempty"`
	EventDeliverySchema   string                        `json:"eventDeliverySchema,omitempty"`
	RetryPolicy           *RetryPolicy                  `json:"retryPolicy,omitempty"`
	DeadLetterDestination *DeadLetterDestination        `json:"deadLetterDestination,omitempty"`
	// Managed identities do not exist in Lockstream: refused when set.
	DeliveryWithResourceIdentity   json.RawMessage `json:"deliveryWithResourceIdentity,omitempty"`
	DeadLetterWithResourceIdentity json.RawMessage `json:"deadLetterWithResourceIdentity,omitempty"`

	// LockstreamStatus is Lockstream's read-only delivery status.
	LockstreamStatus *EventSubscriptionStatus `json:"lockstreamStatus,omitempty"`
}

// EventSubscriptionStatus reports deliveries (a Lockstream addition).
type EventSubscriptionStatus struct {
	PendingEvents       int64  `json:"pendingEvents"`
	DeadLetteredEvents  int64  `json:"deadLetteredEvents"`
	DeliveredEvents     int64  `json:"deliveredEvents"`
	FailedAttempts      int64  `json:"failedAttempts"`
	DeadLetteredTotal   int64  `json:"deadLetteredTotal"`
	LagSeconds          int64  `json:"lagSeconds"`
	LastDeliveryTime    *Time  `json:"lastDeliveryTime,omitempty"`
	LastFailureTime     *Time  `json:"lastFailureTime,omitempty"`
	LastFailureReason   string `json:"lastFailureReason,omitempty"`
	ValidationExpiresAt *Time  `json:"validationExpiresAt,omitempty"`
	// ActiveSince is when the subscription was validated: events
	// published before it are not delivered to it (as in Event Grid).
	ActiveSince *Time `json:"activeSince,omitempty"`
}

// EventSubscriptionDestination is {endpointType, properties}.
type EventSubscriptionDestination struct {
	EndpointType string             `json:"endpointType"`
	Properties   *WebHookProperties `json:"properties,omitempty"`
}

// WebHookProperties configure a WebHook destination. EndpointURL is
// write-only (it may carry a secret in its query); responses carry
// EndpointBaseURL.
type WebHookProperties struct {
	EndpointURL                            string                     `json:"endpointUrl,omitempty"`
	EndpointBaseURL                        string                     `json:"endpointBaseUrl,omitempty"`
	MaxEventsPerBatch                      *int32                     `json:"maxEventsPerBatch,omitempty"`
	PreferredBatchSizeInKilobytes          *int32                     `json:"preferredBatchSizeInKilobytes,omitempty"`
	AzureActiveDirectoryTenantID           string                     `json:"azureActiveDirectoryTenantId,omitempty"`
	AzureActiveDirectoryApplicationIDOrURI string                     `json:"azureActiveDirectoryApplicationIdOrUri,omitempty"`
	DeliveryAttributeMappings              []DeliveryAttributeMapping `json:"deliveryAttributeMappings,omitempty"`
}

// DeliveryAttributeMapping is a header added to every delivery.
type DeliveryAttributeMapping struct {
	Name       string                              `json:"name"`
	Type       string                              `json:"type"` // Static | Dynamic
	Properties *DeliveryAttributeMappingProperties `json:"properties,omitempty"`
}

// DeliveryAttributeMappingProperties are the properties of a delivery attribute mapping: Static {value, isSecret}, Dynamic
// {sourceField}.
type DeliveryAttributeMappingProperties struct {
	Value       string `json:"value,omitempty"`
	IsSecret    bool   `json:"isSecret,omitempty"`
	SourceField string `json:"sourceField,omitempty"`
}

// EventSubscriptionFilter selects events.
type EventSubscriptionFilter struct {
	IncludedEventTypes              []string         `json:"includedEventTypes,omitempty"`
	SubjectBeginsWith               string           `json:"subjectBeginsWith,omitempty"`
	SubjectEndsWith                 string           `json:"subjectEndsWith,omitempty"`
	IsSubjectCaseSensitive          *bool            `json:"isSubjectCaseSensitive,omitempty"`
	EnableAdvancedFilteringOnArrays *bool            `json:"enableAdvancedFilteringOnArrays,omitempty"`
	AdvancedFilters                 []AdvancedFilter `json:"advancedFilters,omitempty"`
}

// AdvancedFilter is one {operatorType, key, value|values} condition.
type AdvancedFilter struct {
	OperatorType string            `json:"operatorType"`
	Key          string            `json:"key"`
	Value        json.RawMessage   `json:"value,omitempty"`
	Values       []json.RawMessage `json:"values,omitempty"`
}

// RetryPolicy bounds delivery attempts.
type RetryPolicy struct {
	MaxDeliveryAttempts      *int32 `json:"maxDeliveryAttempts,omitempty"`
	EventTimeToLiveInMinutes *int32 `json:"eventTimeToLiveInMinutes,omitempty"`
}

// DeadLetterDestination is {endpointType: StorageBlob, properties}.
type DeadLetterDestination struct {
	EndpointType string                 `json:"endpointType"`
	Properties   *StorageBlobDeadLetter `json:"properties,omitempty"`
}

// StorageBlobDeadLetter names the container dead-lettered events go to
// (in Lockstream's own blob store; resourceId is kept as given).
type StorageBlobDeadLetter struct {
	ResourceID        string `json:"resourceId,omitempty"`
	BlobContainerName string `json:"blobContainerName,omitempty"`
}

// Advanced filter operators Lockstream evaluates.
var advancedOperators = []string{
	"NumberIn", "NumberNotIn", "NumberLessThan", "NumberGreaterThan", "NumberLessThanOrEquals", "NumberGreaterThanOrEquals",
	"BoolEquals", "StringIn", "StringNotIn", "StringBeginsWith", "StringEndsWith", "StringContains",
	"StringNotBeginsWith", "StringNotEndsWith", "StringNotContains", "IsNullOrUndefined", "IsNotNull",
}

// EventSubscriptionSecret is the sealed part of a subscription.
type EventSubscriptionSecret struct {
	EndpointURL    string `json:"endpointUrl"`
	ValidationCode string `json:"validationCode,omitempty"`
	// Headers holds the values of Static delivery attributes marked
	// isSecret, by attribute name.
	Headers map[string]string `json:"headers,omitempty"`
}

// KindEventSubscription is the collection segment of event subscriptions.
const KindEventSubscription = "eventSubscriptions"

// checkEventSubscriptionName applies Event Grid's rule: 3–64 letters,
// digits and hyphens.
func checkEventSubscriptionName(name string) error {
	if len(name) < 3 || len(name) > 64 {
		return errorf("name", "event subscription names must be 3 to 64 characters")
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return errorf("name", "event subscription names may only contain letters, digits and hyphens")
		}
	}
	return nil
}
