package events

// Lockstream additions: events AMS never had, for changes an operator of
// Lockstream reacts to. Their types live under "Lockstream.Media." so no
// consumer mistakes them for AMS events; data and versions follow the
// same conventions (dataVersion 1.0, metadataVersion 1).
const (
	TypeStreamingLocatorCreated  = "Lockstream.Media.StreamingLocatorCreated"
	TypeStreamingLocatorDeleted  = "Lockstream.Media.StreamingLocatorDeleted"
	TypeStreamingEndpointStarted = "Lockstream.Media.StreamingEndpointStarted"
	TypeStreamingEndpointStopped = "Lockstream.Media.StreamingEndpointStopped"
)

// LocatorData is the data of the locator events.
type LocatorData struct {
	StreamingLocatorName string `json:"streamingLocatorName"`
	StreamingLocatorID   string `json:"streamingLocatorId"`
	AssetName            string `json:"assetName"`
	StreamingPolicyName  string `json:"streamingPolicyName"`
}

// StreamingLocatorCreated: subject "streamingLocators/{name}".
func StreamingLocatorCreated(acct Account, d LocatorData) Event {
	return New(acct, "streamingLocators/"+d.StreamingLocatorName, TypeStreamingLocatorCreated, d)
}

// StreamingLocatorDeleted: subject "streamingLocators/{name}".
func StreamingLocatorDeleted(acct Account, d LocatorData) Event {
	return New(acct, "streamingLocators/"+d.StreamingLocatorName, TypeStreamingLocatorDeleted, d)
}

// EndpointData is the data of the streaming endpoint events.
type EndpointData struct {
	StreamingEndpointName string `json:"streamingEndpointName"`
	HostName              string `json:"hostName"`
	PreviousState         string `json:"previousState"`
	State                 string `json:"state"`
}

// StreamingEndpointStarted: subject "streamingEndpoints/{name}".
func StreamingEndpointStarted(acct Account, d EndpointData) Event {
	return New(acct, "streamingEndpoints/"+d.StreamingEndpointName, TypeStreamingEndpointStarted, d)
}

// StreamingEndpointStopped: subject "streamingEndpoints/{name}".
func StreamingEndpointStopped(acct Account, d EndpointData) Event {
	return New(acct, "streamingEndpoints/"+d.StreamingEndpointName, TypeStreamingEndpointStopped, d)
}

// Live events (Microsoft.Media.LiveEvent*) have subject "liveEvent/{name}"
// and are built with New once live events exist; the delivery side needs
// nothing new for them.
