package defs

import "encoding/json"

// SystemData is ARM's resource provenance block.
type SystemData struct {
	CreatedBy          string        `json:"createdBy,omitempty"`
	CreatedByType      CreatedByType `json:"createdByType,omitempty"`
	CreatedAt          *Time         `json:"createdAt,omitempty"`
	LastModifiedBy     string        `json:"lastModifiedBy,omitempty"`
	LastModifiedByType CreatedByType `json:"lastModifiedByType,omitempty"`
	LastModifiedAt     *Time         `json:"lastModifiedAt,omitempty"`
}

// ErrorResponse is the ARM error body. azcore reads error.code when the
// x-ms-error-code header is absent.
type ErrorResponse struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is one ARM error. Code and Message are always emitted.
type ErrorDetail struct {
	Code           string                `json:"code"`
	Message        string                `json:"message"`
	Target         string                `json:"target,omitempty"`
	Details        []ErrorDetail         `json:"details,omitempty"`
	AdditionalInfo []ErrorAdditionalInfo `json:"additionalInfo,omitempty"`
}

// ErrorAdditionalInfo is free-form extra error information.
type ErrorAdditionalInfo struct {
	Type string `json:"type,omitempty"`
	Info any    `json:"info,omitempty"`
}

// AsyncOperationResult is the body of the streaming-endpoint, live-event
// and live-output operation endpoints polled through Azure-AsyncOperation.
// AMS sends error {"code":"None"} while the operation is in progress.
type AsyncOperationResult struct {
	Name   string               `json:"name"`
	Status AsyncOperationStatus `json:"status"`
	Error  *ErrorDetail         `json:"error,omitempty"`
}

// OperationStatus is the body of the account (mediaServicesOperationStatuses)
// and track (operationStatuses) status endpoints; the SDK models them as
// MediaServiceOperationStatus and AssetTrackOperationStatus, which share
// this shape. Status uses the AsyncOperationStatus values.
type OperationStatus struct {
	ID        string       `json:"id,omitempty"`
	Name      string       `json:"name"`
	Status    string       `json:"status"`
	StartTime *Time        `json:"startTime,omitempty"`
	EndTime   *Time        `json:"endTime,omitempty"`
	Error     *ErrorDetail `json:"error,omitempty"`
}

// Collection is a page of a list operation. NextLink is absolute, carries
// api-version, and is omitted on the last page (the SDK pagers stop on an
// empty link). Value is always emitted, as [] when empty.
type Collection[T any] struct {
	Value    []T    `json:"value"`
	NextLink string `json:"@odata.nextLink,omitempty"`
}

// MarshalJSON implements json.Marshaler.
func (c Collection[T]) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Value    []T    `json:"value"`
		NextLink string `json:"@odata.nextLink,omitempty"`
	}{nonNil(c.Value), c.NextLink})
}

// Ptr returns a pointer to v, for optional fields.
func Ptr[T any](v T) *T { return &v }

// nonNil returns s, or an empty slice when s is nil, for arrays AMS always
// emits.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// clonePtr returns a copy of *p in a new pointer.
func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// cloneSlice returns a shallow copy of s that keeps nil and empty apart.
func cloneSlice[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append(make([]T, 0, len(s)), s...)
}
