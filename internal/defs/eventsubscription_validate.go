package defs

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Validate checks a request body. It does not require endpointUrl: an
// update may keep the stored one (the API decides).
func (s *EventSubscription) Validate() error {
	p := s.Properties
	if p == nil {
		return required("properties")
	}
	if p.DeliveryWithResourceIdentity != nil || p.DeadLetterWithResourceIdentity != nil {
		return errorf("properties.deliveryWithResourceIdentity", "managed identities are not supported by Lockstream; use destination and deadLetterDestination")
	}
	d := p.Destination
	if d == nil {
		return required("properties.destination")
	}
	if d.EndpointType != "WebHook" {
		return errorf("properties.destination.endpointType", "'%.40s' is not supported; Lockstream delivers to WebHook endpoints", d.EndpointType)
	}
	if d.Properties == nil {
		return required("properties.destination.properties")
	}
	w := d.Properties
	if w.EndpointURL != "" {
		if err := ValidateWebhookURL(w.EndpointURL); err != nil {
			return errorf("properties.destination.properties.endpointUrl", "%v", err)
		}
	}
	if v := w.MaxEventsPerBatch; v != nil && (*v < 1 || *v > 5000) {
		return errorf("properties.destination.properties.maxEventsPerBatch", "must be between 1 and 5000")
	}
	if v := w.PreferredBatchSizeInKilobytes; v != nil && (*v < 1 || *v > 1024) {
		return errorf("properties.destination.properties.preferredBatchSizeInKilobytes", "must be between 1 and 1024")
	}
	if w.AzureActiveDirectoryTenantID != "" && w.AzureActiveDirectoryApplicationIDOrURI == "" {
		return errorf("properties.destination.properties.azureActiveDirectoryApplicationIdOrUri", "is required with azureActiveDirectoryTenantId")
	}
	if len(w.DeliveryAttributeMappings) > maxDeliveryAttributes {
		return errorf("properties.destination.properties.deliveryAttributeMappings", "at most %d mappings", maxDeliveryAttributes)
	}
	for i, m := range w.DeliveryAttributeMappings {
		path := index("properties.destination.properties.deliveryAttributeMappings", i)
		if err := m.validate(path); err != nil {
			return err
		}
	}
	switch p.EventDeliverySchema {
	case "", SchemaEventGrid, SchemaCloudEvents:
	default:
		return errorf("properties.eventDeliverySchema", "'%.40s' is not supported; use EventGridSchema or CloudEventSchemaV1_0", p.EventDeliverySchema)
	}
	if r := p.RetryPolicy; r != nil {
		if v := r.MaxDeliveryAttempts; v != nil && (*v < 1 || *v > 30) {
			return errorf("properties.retryPolicy.maxDeliveryAttempts", "must be between 1 and 30")
		}
		if v := r.EventTimeToLiveInMinutes; v != nil && (*v < 1 || *v > 1440) {
			return errorf("properties.retryPolicy.eventTimeToLiveInMinutes", "must be between 1 and 1440")
		}
	}
	if dl := p.DeadLetterDestination; dl != nil {
		if dl.EndpointType != "StorageBlob" {
			return errorf("properties.deadLetterDestination.endpointType", "'%.40s' is not supported; use StorageBlob", dl.EndpointType)
		}
		if dl.Properties == nil || dl.Properties.BlobContainerName == "" {
			return required("properties.deadLetterDestination.properties.blobContainerName")
		}
		if err := ValidateContainerName(dl.Properties.BlobContainerName); err != nil {
			return errorf("properties.deadLetterDestination.properties.blobContainerName", "%v", err)
		}
	}
	if f := p.Filter; f != nil {
		if err := f.validate(); err != nil {
			return err
		}
	}
	for i, l := range p.Labels {
		if l == "" {
			return errorf(index("properties.labels", i), "must not be empty")
		}
	}
	return nil
}

func (m DeliveryAttributeMapping) validate(path string) error {
	if m.Name == "" {
		return required(join(path, "name"))
	}
	if !validHeaderName(m.Name) {
		return errorf(join(path, "name"), "'%.40s' is not a valid header name", m.Name)
	}
	if m.Properties == nil {
		return required(join(path, "properties"))
	}
	switch m.Type {
	case "Static":
		if len(m.Properties.Value) > maxAttributeValue || strings.ContainsAny(m.Properties.Value, "\r\n\x00") {
			return errorf(join(path, "properties.value"), "must be at most %d bytes without line breaks", maxAttributeValue)
		}
	case "Dynamic":
		if m.Properties.SourceField == "" {
			return required(join(path, "properties.sourceField"))
		}
	default:
		return errorf(join(path, "type"), "must be Static or Dynamic")
	}
	return nil
}

func validHeaderName(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", c)) {
			return false
		}
	}
	// Headers Lockstream sets itself cannot be overridden.
	l := strings.ToLower(s)
	return !strings.HasPrefix(l, "aeg-") && !slices.Contains([]string{"authorization", "content-type", "content-length", "host"}, l)
}

func (f *EventSubscriptionFilter) validate() error {
	for i, t := range f.IncludedEventTypes {
		if t == "" {
			return errorf(index("properties.filter.includedEventTypes", i), "must not be empty")
		}
	}
	if strings.ContainsAny(f.SubjectBeginsWith+f.SubjectEndsWith, "*?") {
		return errorf("properties.filter.subjectBeginsWith", "wildcards are not supported (prefix and suffix match literally)")
	}
	if len(f.AdvancedFilters) > maxAdvancedFilters {
		return errorf("properties.filter.advancedFilters", "at most %d advanced filters", maxAdvancedFilters)
	}
	for i, a := range f.AdvancedFilters {
		path := index("properties.filter.advancedFilters", i)
		if !slices.Contains(advancedOperators, a.OperatorType) {
			return errorf(join(path, "operatorType"), "'%.40s' is not supported; supported: %s", a.OperatorType, strings.Join(advancedOperators, ", "))
		}
		if a.Key == "" {
			return required(join(path, "key"))
		}
		if len(a.Values) > maxFilterValues {
			return errorf(join(path, "values"), "at most %d values", maxFilterValues)
		}
		if err := a.checkValues(path); err != nil {
			return err
		}
	}
	return nil
}

func (a AdvancedFilter) checkValues(path string) error {
	kind := ""
	switch {
	case strings.HasPrefix(a.OperatorType, "Number"):
		kind = "number"
	case strings.HasPrefix(a.OperatorType, "String"):
		kind = "string"
	case a.OperatorType == "BoolEquals":
		kind = "bool"
	default:
		return nil // IsNullOrUndefined, IsNotNull take no value
	}
	multi := strings.HasSuffix(a.OperatorType, "In") || strings.HasPrefix(a.OperatorType, "String") && a.OperatorType != "StringIn" && a.OperatorType != "StringNotIn"
	var vals []json.RawMessage
	if multi {
		if len(a.Values) == 0 {
			return required(join(path, "values"))
		}
		vals = a.Values
	} else {
		if a.Value == nil {
			return required(join(path, "value"))
		}
		vals = []json.RawMessage{a.Value}
	}
	for i, v := range vals {
		var x any
		if err := json.Unmarshal(v, &x); err != nil {
			return errorf(index(join(path, "values"), i), "is not JSON")
		}
		ok := false
		switch x.(type) {
		case float64:
			ok = kind == "number"
		case string:
			ok = kind == "string"
		case bool:
			ok = kind == "bool"
		}
		if !ok {
			return errorf(index(join(path, "values"), i), "must be a %s for %s", kind, a.OperatorType)
		}
	}
	return nil
}

// ValidateWebhookURL checks an endpoint URL's shape (the outbound guard
// checks where it points when delivering).
func ValidateWebhookURL(raw string) error {
	if len(raw) > 4096 {
		return fmt.Errorf("is longer than 4096 characters")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("is not a URL")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return fmt.Errorf("must be an https URL")
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("has no host")
	}
	if u.User != nil {
		return fmt.Errorf("must not carry user information")
	}
	if u.Fragment != "" {
		return fmt.Errorf("must not carry a fragment")
	}
	return nil
}

// WebhookBaseURL is the endpoint URL without its query (which may hold a
// secret): what responses and logs may show.
func WebhookBaseURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	u.RawQuery, u.ForceQuery, u.Fragment, u.User = "", false, "", nil
	return u.String()
}

// ValidateContainerName applies the Azure container name rules.
func ValidateContainerName(name string) error {
	if len(name) < 3 || len(name) > 63 {
		return fmt.Errorf("must be 3 to 63 characters")
	}
	prev := byte('-')
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && prev != '-' && i < len(name)-1:
		default:
			return fmt.Errorf("must be lower-case letters, digits and single hyphens, starting and ending with a letter or digit")
		}
		prev = c
	}
	return nil
}
