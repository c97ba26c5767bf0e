package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// errCase is one malformed or forbidden request.
type errCase struct {
	name    string
	method  string
	path    string
	query   string
	headers map[string]string
	body    string

	wantStatus int
	wantCode   string
	// wantField, for validation errors, must appear in error.message.
	wantField string
	// absent is a path that must still answer 404 after the request: the
	// rejected write created nothing.
	absent string
	// unchanged is a path whose GET body must be byte-identical before and
	// after the request: the rejected write changed nothing.
	unchanged string
}

// Bodies of invalid content key policies, by validation class.
func ckpWith(option string) string { return `{"properties":{"options":[` + option + `]}}` }

const (
	clearCfg   = `{"@odata.type":"#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"}`
	openRestr  = `{"@odata.type":"#Microsoft.Media.ContentKeyPolicyOpenRestriction"}`
	openOption = `{"name":"o","configuration":` + clearCfg + `,"restriction":` + openRestr + `}`
	symKey     = `{"@odata.type":"#Microsoft.Media.ContentKeyPolicySymmetricTokenKey","keyValue":"AAECAwQFBgcICQoLDA0ODw=="}`
)

func tokenOption(restriction string) string {
	return `{"name":"t","configuration":` + clearCfg + `,"restriction":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyTokenRestriction",` + restriction + `}}`
}

func configOption(cfg string) string {
	return `{"name":"c","configuration":` + cfg + `,"restriction":` + openRestr + `}`
}

// fairPlayCfg is a FairPlay configuration with the given ask; the pfx is a
// stand-in DER SEQUENCE.
func fairPlayCfg(ask string) string {
	return `{"@odata.type":"#Microsoft.Media.ContentKeyPolicyFairPlayConfiguration","ask":"` + ask +
		`","fairPlayPfx":"MIIBAg==","fairPlayPfxPassword":"pw","rentalAndLeaseKeyType":"PersistentUnlimited","rentalDuration":0}`
}

// acct2Path is a second account, created by TestErrors.
const acct2Path = "/subscriptions/" + testSub + "/resourceGroups/" + testRG + "/providers/Microsoft.Media/mediaservices/acct2"

func locatorBody(props string) string { return `{"properties":{` + props + `}}` }

func errorCases() []errCase {
	manyOptions := strings.TrimSuffix(strings.Repeat(openOption+",", 31), ",")
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	tooFar := time.Now().Add(25 * time.Hour).UTC().Format(time.RFC3339)
	huge := `{"properties":{"description":"` + strings.Repeat("x", testMaxBody) + `"}}`
	get, put, patch, del, post := http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodPost

	return []errCase{
		// api-version, authentication, routing.
		{name: "missing api-version", method: get, path: a("/assets"), query: "", wantStatus: 400, wantCode: "MissingApiVersionParameter"},
		{name: "empty api-version", method: get, path: a("/assets"), query: "api-version=", wantStatus: 400, wantCode: "MissingApiVersionParameter"},
		{name: "unsupported api-version", method: get, path: a("/assets"), query: "api-version=2018-07-01", wantStatus: 400, wantCode: "InvalidApiVersionParameter"},
		{name: "api-version twice", method: get, path: a("/assets"), query: av + "&" + av, wantStatus: 400, wantCode: "InvalidApiVersionParameter"},
		{name: "no credentials", method: get, path: a("/assets"), query: av, headers: map[string]string{"Authorization": ""}, wantStatus: 401, wantCode: "AuthenticationFailed"},
		{name: "client id and secret as bearer", method: get, path: a("/assets"), query: av, headers: map[string]string{"Authorization": "Bearer " + testClientID + ":not-a-token"}, wantStatus: 401, wantCode: "AuthenticationFailed"},
		{name: "basic credentials", method: get, path: a("/assets"), query: av, headers: map[string]string{"Authorization": "Basic dGVzdC1jbGllbnQ6bm9wZQ=="}, wantStatus: 401, wantCode: "AuthenticationFailed"},
		{name: "bearer without secret", method: get, path: a("/assets"), query: av, headers: map[string]string{"Authorization": "Bearer eyJhbGciOiJub25lIn0.e30."}, wantStatus: 401, wantCode: "AuthenticationFailed"},
		{name: "unauthenticated write creates nothing", method: put, path: a("/assets/noauth"), query: av, headers: map[string]string{"Authorization": ""}, body: assetBody,
			wantStatus: 401, wantCode: "AuthenticationFailed", absent: a("/assets/noauth")},
		{name: "unknown route", method: get, path: "/nothing/here", query: av, wantStatus: 404, wantCode: "NotFound"},
		{name: "unknown provider path", method: get, path: "/subscriptions/" + testSub + "/resourceGroups/" + testRG + "/providers/Microsoft.Other/things", query: av, wantStatus: 404, wantCode: "NotFound"},
		{name: "unknown collection", method: get, path: a("/widgets"), query: av, wantStatus: 404, wantCode: "NotFound"},
		{name: "unknown action", method: post, path: a("/assets/asset1/explode"), query: av, wantStatus: 404, wantCode: "NotFound"},
		{name: "POST on collection", method: post, path: a("/assets"), query: av, body: assetBody, wantStatus: 405, wantCode: "MethodNotAllowed"},
		{name: "DELETE on collection", method: del, path: a("/contentKeyPolicies"), query: av, wantStatus: 405, wantCode: "MethodNotAllowed", unchanged: a("/contentKeyPolicies/ckp1")},
		{name: "GET on action", method: get, path: a("/streamingLocators/loc1/listPaths"), query: av, wantStatus: 405, wantCode: "MethodNotAllowed"},
		{name: "POST on resource", method: post, path: a("/assets/asset1"), query: av, body: assetBody, wantStatus: 405, wantCode: "MethodNotAllowed"},
		{name: "PATCH streaming policy", method: patch, path: a("/streamingPolicies/spEnv"), query: av, body: `{"properties":{}}`,
			wantStatus: 405, wantCode: "MethodNotAllowed", unchanged: a("/streamingPolicies/spEnv")},
		{name: "PATCH streaming locator", method: patch, path: a("/streamingLocators/loc1"), query: av, body: `{"properties":{"alternativeMediaId":"x"}}`,
			wantStatus: 405, wantCode: "MethodNotAllowed", unchanged: a("/streamingLocators/loc1")},
		{name: "PUT over existing locator", method: put, path: a("/streamingLocators/loc1"), query: av,
			body:       locatorBody(`"assetName":"asset1","streamingPolicyName":"Predefined_DownloadOnly"`),
			wantStatus: 409, wantCode: "Conflict", unchanged: a("/streamingLocators/loc1")},
		{name: "PUT over existing locator, other name casing", method: put, path: a("/streamingLocators/LOC1"), query: av,
			body:       locatorBody(`"assetName":"asset1","streamingPolicyName":"Predefined_DownloadOnly"`),
			wantStatus: 409, wantCode: "Conflict", unchanged: a("/streamingLocators/loc1")},
		{name: "PUT over existing streaming policy", method: put, path: a("/streamingPolicies/spEnv"), query: av, body: spNoEncBody,
			wantStatus: 409, wantCode: "Conflict", unchanged: a("/streamingPolicies/spEnv")},

		// Bodies.
		{name: "malformed JSON", method: put, path: a("/assets/bad1"), query: av, body: `{"properties":`,
			wantStatus: 400, wantCode: "InvalidRequestContent", absent: a("/assets/bad1")},
		{name: "trailing garbage after JSON", method: put, path: a("/assets/bad1"), query: av, body: `{"properties":{}} x`,
			wantStatus: 400, wantCode: "InvalidRequestContent", absent: a("/assets/bad1")},
		{name: "body is a JSON array", method: put, path: a("/assets/bad1"), query: av, body: `[]`,
			wantStatus: 400, absent: a("/assets/bad1")},
		{name: "wrong JSON type: options is a string", method: put, path: a("/contentKeyPolicies/bad1"), query: av, body: `{"properties":{"options":"x"}}`,
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.options", absent: a("/contentKeyPolicies/bad1")},
		{name: "NUL character in a string", method: put, path: a("/assets/bad1"), query: av, body: `{"properties":{"description":"a\u0000b"}}`,
			wantStatus: 400, wantCode: "InvalidRequestContent", absent: a("/assets/bad1")},
		{name: "NUL character in a PATCH", method: patch, path: a("/contentKeyPolicies/ckp1"), query: av, body: `{"properties":{"description":"a\u0000b"}}`,
			wantStatus: 400, wantCode: "InvalidRequestContent", unchanged: a("/contentKeyPolicies/ckp1")},
		{name: "NUL character in $filter", method: get, path: a("/assets"), query: av + "&$filter=" + url.QueryEscape("name eq 'a\x00b'"), wantStatus: 400},
		{name: "wrong JSON type: description is a number", method: put, path: a("/assets/bad1"), query: av, body: `{"properties":{"description":5}}`,
			wantStatus: 400, wantField: "description", absent: a("/assets/bad1")},
		{name: "wrong JSON type: enabledProtocols.hls is a string", method: put, path: a("/streamingPolicies/bad1"), query: av,
			body:       `{"properties":{"noEncryption":{"enabledProtocols":{"download":true,"dash":true,"hls":"yes","smoothStreaming":true}}}}`,
			wantStatus: 400, wantField: "hls", absent: a("/streamingPolicies/bad1")},
		{name: "empty body", method: put, path: a("/assets/bad1"), query: av, body: "",
			wantStatus: 400, wantCode: "InvalidRequestContent", absent: a("/assets/bad1")},
		{name: "whitespace body", method: put, path: a("/contentKeyPolicies/bad1"), query: av, body: " \n\t ",
			wantStatus: 400, wantCode: "InvalidRequestContent", absent: a("/contentKeyPolicies/bad1")},
		{name: "body over the size limit", method: put, path: a("/assets/big1"), query: av, body: huge,
			wantStatus: 413, wantCode: "RequestEntityTooLarge", absent: a("/assets/big1")},
		{name: "wrong Content-Type", method: put, path: a("/assets/bad1"), query: av, headers: map[string]string{"Content-Type": "text/plain"}, body: assetBody,
			wantStatus: 415, wantCode: "UnsupportedMediaType", absent: a("/assets/bad1")},
		{name: "wrong Content-Type on PATCH", method: patch, path: a("/assets/asset1"), query: av, headers: map[string]string{"Content-Type": "application/xml"},
			body: `{"properties":{"description":"changed"}}`, wantStatus: 415, wantCode: "UnsupportedMediaType", unchanged: a("/assets/asset1")},

		// Names.
		{name: "asset name with encoded slash", method: put, path: a("/assets/a%2Fb"), query: av, body: assetBody,
			wantStatus: 400, wantCode: "InvalidResourceName", wantField: "name"},
		{name: "asset name with control character", method: put, path: a("/assets/a%01b"), query: av, body: assetBody,
			wantStatus: 400, wantCode: "InvalidResourceName", wantField: "name"},
		{name: "asset name ending in a dot", method: put, path: a("/assets/ab."), query: av, body: assetBody,
			wantStatus: 400, wantCode: "InvalidResourceName", absent: a("/assets/ab.")},
		{name: "asset name with percent", method: put, path: a("/assets/a%25b"), query: av, body: assetBody,
			wantStatus: 400, wantCode: "InvalidResourceName"},
		{name: "asset name too long", method: put, path: a("/assets/" + strings.Repeat("n", 261)), query: av, body: assetBody,
			wantStatus: 400, wantCode: "InvalidResourceName"},
		{name: "upper-case account name", method: put, path: "/subscriptions/" + testSub + "/resourceGroups/" + testRG + "/providers/Microsoft.Media/mediaservices/Acct3", query: av,
			body: accountBody, wantStatus: 400, wantCode: "InvalidResourceName", absent: "/subscriptions/" + testSub + "/resourceGroups/" + testRG + "/providers/Microsoft.Media/mediaservices/acct3"},
		{name: "account name too short", method: put, path: "/subscriptions/" + testSub + "/resourceGroups/" + testRG + "/providers/Microsoft.Media/mediaservices/ab", query: av,
			body: accountBody, wantStatus: 400, wantCode: "InvalidResourceName"},
		{name: "endpoint name over 24 characters", method: put, path: a("/streamingEndpoints/" + strings.Repeat("e", 25)), query: av, body: endpointBody,
			wantStatus: 400, wantCode: "InvalidResourceName", absent: a("/streamingEndpoints/" + strings.Repeat("e", 25))},
		{name: "endpoint name with underscore", method: put, path: a("/streamingEndpoints/se_1"), query: av, body: endpointBody,
			wantStatus: 400, wantCode: "InvalidResourceName"},
		{name: "account filter name with space", method: put, path: a("/accountFilters/a%20b"), query: av, body: accountFilterBody,
			wantStatus: 400, wantCode: "InvalidResourceName"},

		// Content key policies: each validation class.
		{name: "ckp without properties", method: put, path: a("/contentKeyPolicies/bad2"), query: av, body: `{}`,
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties", absent: a("/contentKeyPolicies/bad2")},
		{name: "ckp with no options", method: put, path: a("/contentKeyPolicies/bad2"), query: av, body: `{"properties":{"options":[]}}`,
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.options", absent: a("/contentKeyPolicies/bad2")},
		{name: "ckp with 31 options", method: put, path: a("/contentKeyPolicies/bad2"), query: av, body: ckpWith(manyOptions),
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.options", absent: a("/contentKeyPolicies/bad2")},
		{name: "ckp unknown configuration @odata.type", method: put, path: a("/contentKeyPolicies/bad2"), query: av,
			body:       ckpWith(configOption(`{"@odata.type":"#Microsoft.Media.ContentKeyPolicyMagicConfiguration"}`)),
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.options[0].configuration.@odata.type", absent: a("/contentKeyPolicies/bad2")},
		{name: "ckp missing configuration @odata.type", method: put, path: a("/contentKeyPolicies/bad2"), query: av,
			body:       ckpWith(configOption(`{"widevineTemplate":"{}"}`)),
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.options[0].configuration.@odata.type"},
		{name: "ckp unknown restriction @odata.type", method: put, path: a("/contentKeyPolicies/bad2"), query: av,
			body:       ckpWith(`{"configuration":` + clearCfg + `,"restriction":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyMagicRestriction"}}`),
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.options[0].restriction.@odata.type"},
		{name: "ckp Unknown configuration is output-only", method: put, path: a("/contentKeyPolicies/bad2"), query: av,
			body:       ckpWith(configOption(`{"@odata.type":"#Microsoft.Media.ContentKeyPolicyUnknownConfiguration"}`)),
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.options[0].configuration"},
		{name: "ckp missing restriction", method: put, path: a("/contentKeyPolicies/bad2"), query: av,
			body:       ckpWith(`{"configuration":` + clearCfg + `}`),
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.options[0].restriction"},
		{name: "ckp token restriction missing issuer", method: put, path: a("/contentKeyPolicies/bad2"), query: av,
			body:       ckpWith(tokenOption(`"audience":"urn:a","restrictionTokenType":"Jwt","primaryVerificationKey":` + symKey)),
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.options[0].restriction.issuer", absent: a("/contentKeyPolicies/bad2")},
		{name: "ckp token restriction missing audience", method: put, path: a("/contentKeyPolicies/bad2"), query: av,
			body:       ckpWith(tokenOption(`"issuer":"https://i","restrictionTokenType":"Jwt","primaryVerificationKey":` + symKey)),
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.options[0].restriction.audience"},
		{name: "ckp symmetric key empty", method: put, path: a("/contentKeyPolicies/bad2"), query: av,
			body: ckpWith(tokenOption(`"issuer":"https://i","audience":"urn:a","restrictionTokenType":"Jwt",` +
				`"primaryVerificationKey":{"@odata.type":"#Microsoft.Media.ContentKeyPolicySymmetricTokenKey","keyValue":""}`)),
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.options[0].restriction.primaryVerificationKey.keyValue", absent: a("/contentKeyPolicies/bad2")},
		{name: "ckp symmetric key not base64", method: put, path: a("/contentKeyPolicies/bad2"), query: av,
			body: ckpWith(tokenOption(`"issuer":"https://i","audience":"urn:a","restrictionTokenType":"Jwt",` +
				`"primaryVerificationKey":{"@odata.type":"#Microsoft.Media.ContentKeyPolicySymmetricTokenKey","keyValue":"!!!"}`)),
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "keyValue"},
		{name: "ckp restrictionTokenType Unknown", method: put, path: a("/contentKeyPolicies/bad2"), query: av,
			body:       ckpWith(tokenOption(`"issuer":"https://i","audience":"urn:a","restrictionTokenType":"Unknown","primaryVerificationKey":` + symKey)),
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.options[0].restriction.restrictionTokenType", absent: a("/contentKeyPolicies/bad2")},
		{name: "ckp restrictionTokenType missing", method: put, path: a("/contentKeyPolicies/bad2"), query: av,
			body:       ckpWith(tokenOption(`"issuer":"https://i","audience":"urn:a","primaryVerificationKey":` + symKey)),
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.options[0].restriction.restrictionTokenType"},
		{name: "ckp bad widevineTemplate JSON", method: put, path: a("/contentKeyPolicies/bad2"), query: av,
			body:       ckpWith(configOption(`{"@odata.type":"#Microsoft.Media.ContentKeyPolicyWidevineConfiguration","widevineTemplate":"{not json"}`)),
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.options[0].configuration.widevineTemplate", absent: a("/contentKeyPolicies/bad2")},
		{name: "ckp FairPlay ask not 16 bytes", method: put, path: a("/contentKeyPolicies/bad2"), query: av,
			body:       ckpWith(configOption(fairPlayCfg(b64(make([]byte, 15))))),
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.options[0].configuration.ask", absent: a("/contentKeyPolicies/bad2")},
		{name: "ckp invalid PATCH leaves policy unchanged", method: patch, path: a("/contentKeyPolicies/ckp1"), query: av,
			body:       `{"properties":{"options":[]}}`,
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.options", unchanged: a("/contentKeyPolicies/ckp1")},
		{name: "ckp PATCH body not an object", method: patch, path: a("/contentKeyPolicies/ckp1"), query: av, body: `"x"`,
			wantStatus: 400, wantCode: "InvalidRequestContent", unchanged: a("/contentKeyPolicies/ckp1")},

		// Streaming policies.
		{name: "sp enabledProtocols missing a boolean", method: put, path: a("/streamingPolicies/bad3"), query: av,
			body:       `{"properties":{"noEncryption":{"enabledProtocols":{"download":true,"dash":true,"smoothStreaming":true}}}}`,
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.noEncryption.enabledProtocols.hls", absent: a("/streamingPolicies/bad3")},
		{name: "sp reserved Predefined_ name", method: put, path: a("/streamingPolicies/Predefined_Mine"), query: av, body: spNoEncBody,
			wantStatus: 400, wantCode: "ReservedResourceName", absent: a("/streamingPolicies/Predefined_Mine")},
		{name: "sp reserved name, other casing", method: put, path: a("/streamingPolicies/predefined_clearkey"), query: av, body: spNoEncBody,
			wantStatus: 400, wantCode: "ReservedResourceName", unchanged: a("/streamingPolicies/Predefined_ClearKey")},
		{name: "sp DELETE of a predefined policy", method: del, path: a("/streamingPolicies/Predefined_ClearKey"), query: av,
			wantStatus: 409, wantCode: "Conflict", unchanged: a("/streamingPolicies/Predefined_ClearKey")},
		{name: "sp unknown default content key policy", method: put, path: a("/streamingPolicies/bad3"), query: av,
			body:       `{"properties":{"defaultContentKeyPolicyName":"nope","envelopeEncryption":{"enabledProtocols":{"download":false,"dash":true,"hls":true,"smoothStreaming":true}}}}`,
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.defaultContentKeyPolicyName", absent: a("/streamingPolicies/bad3")},

		// Streaming locators.
		{name: "locator missing assetName", method: put, path: a("/streamingLocators/bad4"), query: av,
			body:       locatorBody(`"streamingPolicyName":"Predefined_ClearStreamingOnly"`),
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.assetName", absent: a("/streamingLocators/bad4")},
		{name: "locator missing streamingPolicyName", method: put, path: a("/streamingLocators/bad4"), query: av,
			body:       locatorBody(`"assetName":"asset1"`),
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.streamingPolicyName", absent: a("/streamingLocators/bad4")},
		{name: "locator unknown asset", method: put, path: a("/streamingLocators/bad4"), query: av,
			body:       locatorBody(`"assetName":"nope","streamingPolicyName":"Predefined_ClearStreamingOnly"`),
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.assetName", absent: a("/streamingLocators/bad4")},
		{name: "locator unknown streaming policy", method: put, path: a("/streamingLocators/bad4"), query: av,
			body:       locatorBody(`"assetName":"asset1","streamingPolicyName":"nope"`),
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.streamingPolicyName", absent: a("/streamingLocators/bad4")},
		{name: "locator encrypted policy without content key policy", method: put, path: a("/streamingLocators/bad4"), query: av,
			body:       locatorBody(`"assetName":"asset1","streamingPolicyName":"Predefined_ClearKey"`),
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.defaultContentKeyPolicyName", absent: a("/streamingLocators/bad4")},
		{name: "locator unknown content key policy", method: put, path: a("/streamingLocators/bad4"), query: av,
			body:       locatorBody(`"assetName":"asset1","streamingPolicyName":"Predefined_ClearKey","defaultContentKeyPolicyName":"nope"`),
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.defaultContentKeyPolicyName", absent: a("/streamingLocators/bad4")},
		{name: "locator content key value not 16 bytes", method: put, path: a("/streamingLocators/bad4"), query: av,
			body: locatorBody(`"assetName":"asset1","streamingPolicyName":"spEnv","contentKeys":[{"id":"9b3c3d7e-7a8a-4d1a-9c55-2a6f0a3e0b11",` +
				`"labelReferenceInStreamingPolicy":"k1","value":"` + b64(make([]byte, 15)) + `"}]`),
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.contentKeys[0].value", absent: a("/streamingLocators/bad4")},
		{name: "locator content key value not base64", method: put, path: a("/streamingLocators/bad4"), query: av,
			body: locatorBody(`"assetName":"asset1","streamingPolicyName":"spEnv","contentKeys":[{"id":"9b3c3d7e-7a8a-4d1a-9c55-2a6f0a3e0b11",` +
				`"labelReferenceInStreamingPolicy":"k1","value":"%%%"}]`),
			wantStatus: 400, wantField: "value", absent: a("/streamingLocators/bad4")},
		{name: "locator content key id not a GUID", method: put, path: a("/streamingLocators/bad4"), query: av,
			body: locatorBody(`"assetName":"asset1","streamingPolicyName":"spEnv","contentKeys":[{"id":"not-a-guid",` +
				`"labelReferenceInStreamingPolicy":"k1","value":"` + b64(make([]byte, 16)) + `"}]`),
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.contentKeys[0].id", absent: a("/streamingLocators/bad4")},
		{name: "locator streamingLocatorId not a GUID", method: put, path: a("/streamingLocators/bad4"), query: av,
			body:       locatorBody(`"assetName":"asset1","streamingPolicyName":"Predefined_ClearStreamingOnly","streamingLocatorId":"1234"`),
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.streamingLocatorId", absent: a("/streamingLocators/bad4")},
		{name: "locator unmatched key label", method: put, path: a("/streamingLocators/bad4"), query: av,
			body: locatorBody(`"assetName":"asset1","streamingPolicyName":"spEnv","contentKeys":[{"id":"9b3c3d7e-7a8a-4d1a-9c55-2a6f0a3e0b11",` +
				`"labelReferenceInStreamingPolicy":"nolabel","value":"` + b64(make([]byte, 16)) + `"}]`),
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.contentKeys[0].labelReferenceInStreamingPolicy", absent: a("/streamingLocators/bad4")},
		{name: "locator start equals end", method: put, path: a("/streamingLocators/bad4"), query: av,
			body:       locatorBody(`"assetName":"asset1","streamingPolicyName":"Predefined_ClearStreamingOnly","startTime":"2030-01-01T00:00:00Z","endTime":"2030-01-01T00:00:00Z"`),
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "Time", absent: a("/streamingLocators/bad4")},
		{name: "locator start after end", method: put, path: a("/streamingLocators/bad4"), query: av,
			body:       locatorBody(`"assetName":"asset1","streamingPolicyName":"Predefined_ClearStreamingOnly","startTime":"2030-01-02T00:00:00Z","endTime":"2030-01-01T00:00:00Z"`),
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "Time", absent: a("/streamingLocators/bad4")},
		{name: "locator endTime not a date", method: put, path: a("/streamingLocators/bad4"), query: av,
			body:       locatorBody(`"assetName":"asset1","streamingPolicyName":"Predefined_ClearStreamingOnly","endTime":"tomorrow"`),
			wantStatus: 400, wantField: "endTime", absent: a("/streamingLocators/bad4")},
		{name: "locator unknown filter", method: put, path: a("/streamingLocators/bad4"), query: av,
			body:       locatorBody(`"assetName":"asset1","streamingPolicyName":"Predefined_ClearStreamingOnly","filters":["nofilter"]`),
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.filters[0]", absent: a("/streamingLocators/bad4")},

		// listContainerSas.
		{name: "listContainerSas bad permissions", method: post, path: a("/assets/asset1/listContainerSas"), query: av,
			body: `{"permissions":"Write","expiryTime":"` + future + `"}`, wantStatus: 400, wantCode: "InvalidParameter", wantField: "permissions"},
		{name: "listContainerSas expiry in the past", method: post, path: a("/assets/asset1/listContainerSas"), query: av,
			body: `{"permissions":"Read","expiryTime":"` + past + `"}`, wantStatus: 400, wantCode: "InvalidParameter", wantField: "expiryTime"},
		{name: "listContainerSas expiry over 24 h", method: post, path: a("/assets/asset1/listContainerSas"), query: av,
			body: `{"permissions":"Read","expiryTime":"` + tooFar + `"}`, wantStatus: 400, wantCode: "InvalidParameter", wantField: "expiryTime"},
		{name: "listContainerSas without body", method: post, path: a("/assets/asset1/listContainerSas"), query: av,
			wantStatus: 400},
		{name: "listContainerSas of a missing asset", method: post, path: a("/assets/nope/listContainerSas"), query: av,
			body: `{"permissions":"Read","expiryTime":"` + future + `"}`, wantStatus: 404, wantCode: "ResourceNotFound"},

		// Deletes of referenced resources.
		{name: "DELETE referenced content key policy", method: del, path: a("/contentKeyPolicies/ckp1"), query: av,
			wantStatus: 409, wantCode: "Conflict", unchanged: a("/contentKeyPolicies/ckp1")},
		{name: "DELETE referenced asset", method: del, path: a("/assets/asset1"), query: av,
			wantStatus: 409, wantCode: "Conflict", unchanged: a("/assets/asset1")},

		{name: "DELETE asset filter a locator applies", method: del, path: a("/assets/asset1/assetFilters/f1"), query: av,
			wantStatus: 409, wantCode: "Conflict", unchanged: a("/assets/asset1/assetFilters/f1")},
		{name: "DELETE account filter a locator applies", method: del, path: a("/accountFilters/af1"), query: av,
			wantStatus: 409, wantCode: "Conflict", unchanged: a("/accountFilters/af1")},

		// A blob container belongs to one asset.
		{name: "asset with another asset's container", method: put, path: a("/assets/thief"), query: av, body: `{"properties":{"container":"owned-container"}}`,
			wantStatus: 409, wantCode: "Conflict", wantField: "properties.container", absent: a("/assets/thief")},
		{name: "asset of another account with this account's container", method: put, path: acct2Path + "/assets/thief", query: av,
			body: `{"properties":{"container":"owned-container"}}`, wantStatus: 409, wantCode: "Conflict", wantField: "properties.container", absent: acct2Path + "/assets/thief"},

		// Listing options.
		{name: "$filter syntax error", method: get, path: a("/assets"), query: av + "&$filter=" + url.QueryEscape("name eq"), wantStatus: 400, wantCode: "InvalidFilter"},
		{name: "$filter unterminated string", method: get, path: a("/assets"), query: av + "&$filter=" + url.QueryEscape("name eq 'x"), wantStatus: 400, wantCode: "InvalidFilter"},
		{name: "$filter unknown property", method: get, path: a("/assets"), query: av + "&$filter=" + url.QueryEscape("properties/color eq 'red'"), wantStatus: 400, wantCode: "InvalidFilter"},
		{name: "$filter operator not allowed", method: get, path: a("/assets"), query: av + "&$filter=" + url.QueryEscape("name ne 'x'"), wantStatus: 400, wantCode: "InvalidFilter"},
		{name: "$filter unknown operator", method: get, path: a("/contentKeyPolicies"), query: av + "&$filter=" + url.QueryEscape("name like 'x'"), wantStatus: 400, wantCode: "InvalidFilter"},
		{name: "$filter wrong literal type", method: get, path: a("/streamingLocators"), query: av + "&$filter=" + url.QueryEscape("properties/created gt 'yesterday'"), wantStatus: 400, wantCode: "InvalidFilter"},
		{name: "$orderby property not sortable", method: get, path: a("/contentKeyPolicies"), query: av + "&$orderby=" + url.QueryEscape("properties/description"), wantStatus: 400, wantCode: "InvalidOrderBy"},
		{name: "$orderby bad direction", method: get, path: a("/assets"), query: av + "&$orderby=" + url.QueryEscape("name sideways"), wantStatus: 400, wantCode: "InvalidOrderBy"},
		{name: "$top=0", method: get, path: a("/assets"), query: av + "&$top=0", wantStatus: 400, wantCode: "InvalidTop"},
		{name: "$top negative", method: get, path: a("/streamingPolicies"), query: av + "&$top=-1", wantStatus: 400, wantCode: "InvalidTop"},
		{name: "$top not a number", method: get, path: a("/streamingLocators"), query: av + "&$top=ten", wantStatus: 400, wantCode: "InvalidTop"},
		{name: "$top on an unsupported collection", method: get, path: a("/streamingEndpoints"), query: av + "&$top=1", wantStatus: 400, wantCode: "InvalidQueryParameter"},
		{name: "unknown $ option", method: get, path: a("/assets"), query: av + "&$expand=x", wantStatus: 400, wantCode: "InvalidQueryParameter"},
		{name: "tampered $skiptoken", method: get, path: a("/assets"), query: av + "&$skiptoken=AQID" + "garbage", wantStatus: 400, wantCode: "InvalidSkipToken"},
		{name: "$skiptoken of another era", method: get, path: a("/assets"), query: av + "&$skiptoken=asset1", wantStatus: 400, wantCode: "InvalidSkipToken"},

		// Missing resources.
		{name: "GET missing asset", method: get, path: a("/assets/nope"), query: av, wantStatus: 404, wantCode: "ResourceNotFound"},
		{name: "GET missing locator", method: get, path: a("/streamingLocators/nope"), query: av, wantStatus: 404, wantCode: "ResourceNotFound"},
		{name: "GET missing predefined-looking policy", method: get, path: a("/streamingPolicies/Predefined_Nope"), query: av, wantStatus: 404, wantCode: "ResourceNotFound"},
		{name: "PATCH missing asset", method: patch, path: a("/assets/nope"), query: av, body: `{"properties":{"description":"x"}}`,
			wantStatus: 404, wantCode: "ResourceNotFound", absent: a("/assets/nope")},
		{name: "listContentKeys of missing locator", method: post, path: a("/streamingLocators/nope/listContentKeys"), query: av, wantStatus: 404, wantCode: "ResourceNotFound"},
		{name: "getPolicyPropertiesWithSecrets of missing policy", method: post, path: a("/contentKeyPolicies/nope/getPolicyPropertiesWithSecrets"), query: av, wantStatus: 404, wantCode: "ResourceNotFound"},
		{name: "asset filters of a missing asset", method: get, path: a("/assets/nope/assetFilters"), query: av, wantStatus: 404, wantCode: "ResourceNotFound"},
		{name: "PUT asset filter under a missing asset", method: put, path: a("/assets/nope/assetFilters/f1"), query: av, body: accountFilterBody,
			wantStatus: 404, wantCode: "ResourceNotFound", absent: a("/assets/nope")},
		{name: "GET missing account", method: get, path: "/subscriptions/" + testSub + "/resourceGroups/" + testRG + "/providers/Microsoft.Media/mediaservices/nope", query: av,
			wantStatus: 404, wantCode: "ResourceNotFound"},
		{name: "list child of a missing account", method: get, path: "/subscriptions/" + testSub + "/resourceGroups/" + testRG + "/providers/Microsoft.Media/mediaServices/nope/assets", query: av,
			wantStatus: 404, wantCode: "ResourceNotFound"},
		{name: "PUT child of a missing account", method: put, path: "/subscriptions/" + testSub + "/resourceGroups/" + testRG + "/providers/Microsoft.Media/mediaServices/nope/assets/x", query: av,
			body: assetBody, wantStatus: 404, wantCode: "ResourceNotFound"},
		{name: "account in another resource group", method: get, path: "/subscriptions/" + testSub + "/resourceGroups/other/providers/Microsoft.Media/mediaServices/" + testAccount + "/assets/asset1", query: av,
			wantStatus: 404, wantCode: "ResourceNotFound"},

		// Rejected updates leave the resource unchanged.
		{name: "asset PATCH changing the container", method: patch, path: a("/assets/asset1"), query: av,
			body:       `{"properties":{"container":"other-container","description":"changed"}}`,
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.container", unchanged: a("/assets/asset1")},
		{name: "asset PUT with a foreign storage account", method: put, path: a("/assets/asset1"), query: av,
			body:       `{"properties":{"storageAccountName":"elsewhere","description":"changed"}}`,
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "properties.storageAccountName", unchanged: a("/assets/asset1")},
		{name: "asset PATCH malformed JSON", method: patch, path: a("/assets/asset1"), query: av, body: `{"properties":{"description":`,
			wantStatus: 400, wantCode: "InvalidRequestContent", unchanged: a("/assets/asset1")},
		{name: "streaming endpoint scale out of range", method: post, path: a("/streamingEndpoints/default/scale"), query: av, body: `{"scaleUnit":11}`,
			wantStatus: 400, wantCode: "InvalidParameter", wantField: "scaleUnit", unchanged: a("/streamingEndpoints/default")},
	}
}

// TestErrors sends every malformed or forbidden request of errorCases to
// one server and checks the ARM error response, then that nothing was
// written.
func TestErrors(t *testing.T) {
	ts := newTestServer(t)
	ts.seed()
	ts.mustDo(http.MethodPut, acct2Path, accountBody, http.StatusCreated)
	ts.mustDo(http.MethodPut, a("/assets/owner"), `{"properties":{"container":"owned-container"}}`, http.StatusCreated)
	ts.mustDo(http.MethodPut, a("/assets/asset1/assetFilters/f1"), accountFilterBody, http.StatusCreated)
	ts.mustDo(http.MethodPut, a("/accountFilters/af1"), accountFilterBody, http.StatusCreated)
	ts.mustDo(http.MethodPut, a("/streamingLocators/locf"), locatorBody(`"assetName":"asset1","streamingPolicyName":"Predefined_ClearStreamingOnly","filters":["f1","af1"]`), http.StatusCreated)
	cases := errorCases()
	if len(cases) < 40 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var before []byte
			if tc.unchanged != "" {
				r := ts.call(http.MethodGet, tc.unchanged, "")
				if r.Status != http.StatusOK {
					t.Fatalf("GET %s before: status %d: %s", tc.unchanged, r.Status, r.Body)
				}
				before = r.Body
			}
			r := ts.do(tc.method, tc.path, tc.query, tc.headers, tc.body)
			e := checkError(t, r, tc.wantStatus, tc.wantCode)
			if tc.wantField != "" && !strings.Contains(e.Error.Message, tc.wantField) {
				t.Errorf("error.message %q does not name field %q", e.Error.Message, tc.wantField)
			}
			if r.Status == http.StatusMethodNotAllowed && r.Header.Get("Allow") == "" {
				t.Errorf("405 without an Allow header")
			}
			if tc.absent != "" {
				if g := ts.call(http.MethodGet, tc.absent, ""); g.Status != http.StatusNotFound {
					t.Errorf("after the rejected request GET %s = %d, want 404 (something was written): %s", tc.absent, g.Status, g.Body)
				}
			}
			if tc.unchanged != "" {
				g := ts.call(http.MethodGet, tc.unchanged, "")
				if g.Status != http.StatusOK || !bytes.Equal(g.Body, before) {
					t.Errorf("after the rejected request GET %s changed:\nbefore %s\nafter  %d %s", tc.unchanged, before, g.Status, g.Body)
				}
			}
		})
	}
}

// TestAccountPatchAsync checks that an account PATCH answers 202 with both
// polling headers, that both URLs answer 200 and report success, and that
// the change was applied.
func TestAccountPatchAsync(t *testing.T) {
	ts := newTestServer(t)
	acct := "/subscriptions/" + testSub + "/resourceGroups/" + testRG + "/providers/Microsoft.Media/mediaservices/" + testAccount
	r := ts.call(http.MethodPatch, acct, `{"tags":{"team":"video"}}`)
	if r.Status != http.StatusAccepted {
		t.Fatalf("PATCH account: status %d, want 202: %s", r.Status, r.Body)
	}
	for _, hdr := range []string{"Azure-AsyncOperation", "Location"} {
		u := r.Header.Get(hdr)
		if u == "" {
			t.Errorf("202 without %s", hdr)
			continue
		}
		pu, err := url.Parse(u)
		if err != nil || !pu.IsAbs() {
			t.Errorf("%s %q is not an absolute URL", hdr, u)
			continue
		}
		if pu.Query().Get("api-version") == "" {
			t.Errorf("%s %q carries no api-version", hdr, u)
		}
		if !strings.HasPrefix(u, ts.HTTP.URL) {
			t.Errorf("%s %q is not on this server (%s)", hdr, u, ts.HTTP.URL)
			continue
		}
		g := ts.do(http.MethodGet, pu.Path, pu.RawQuery, nil, "")
		if g.Status != http.StatusOK {
			t.Errorf("GET %s (%s): status %d, want 200: %s", hdr, u, g.Status, g.Body)
			continue
		}
		m := decodeJSON(t, g.Body)
		status, _ := m["status"].(string)
		if props, ok := m["properties"].(map[string]any); ok && status == "" {
			status, _ = props["provisioningState"].(string)
		}
		if status != "Succeeded" {
			t.Errorf("GET %s: status/provisioningState %q, want Succeeded: %s", hdr, status, g.Body)
		}
	}
	g := ts.mustDo(http.MethodGet, acct, "", http.StatusOK)
	var got struct {
		Tags map[string]string `json:"tags"`
	}
	if err := json.Unmarshal(g.Body, &got); err != nil || got.Tags["team"] != "video" {
		t.Errorf("account after PATCH: tags %v (err %v), want team=video: %s", got.Tags, err, g.Body)
	}
}

// TestSkipTokenTampered pages through assets, then replays the next link's
// skip token modified, and on another collection.
func TestSkipTokenTampered(t *testing.T) {
	ts := newTestServer(t)
	for _, n := range []string{"a1", "a2", "a3", "a4", "a5"} {
		ts.mustDo(http.MethodPut, a("/assets/"+n), assetBody, http.StatusCreated)
	}
	r := ts.mustDo(http.MethodGet, a("/assets"), "", http.StatusOK)
	var page struct {
		Value    []json.RawMessage `json:"value"`
		NextLink string            `json:"@odata.nextLink"`
	}
	if err := json.Unmarshal(r.Body, &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Value) != testPageSize || page.NextLink == "" {
		t.Fatalf("first page: %d items, nextLink %q; want %d and a link", len(page.Value), page.NextLink, testPageSize)
	}
	nl, err := url.Parse(page.NextLink)
	if err != nil {
		t.Fatal(err)
	}
	tok := nl.Query().Get("$skiptoken")
	if tok == "" {
		t.Fatalf("next link %q has no $skiptoken", page.NextLink)
	}
	// The untouched link works.
	if g := ts.do(http.MethodGet, nl.Path, nl.RawQuery, nil, ""); g.Status != http.StatusOK {
		t.Fatalf("GET next link: %d %s", g.Status, g.Body)
	}
	// Skip tokens are not signed (odata.EncodeSkipToken): a changed name
	// inside one is a valid cursor. A change to the query binding (bytes
	// 1-8, base64 characters 2-10) or to the framing must be refused.
	flip := []byte(tok)
	i := 4
	if flip[i] == 'A' {
		flip[i] = 'B'
	} else {
		flip[i] = 'A'
	}
	cases := []struct {
		name, path, token, extra string
	}{
		{"one character changed", nl.Path, string(flip), ""},
		{"truncated", nl.Path, tok[:12], ""},
		{"other collection", a("/contentKeyPolicies"), tok, ""},
		{"other $orderby", nl.Path, tok, "&$orderby=name%20desc"},
		{"other $filter", nl.Path, tok, "&$filter=" + url.QueryEscape("name gt 'a'")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := ts.do(http.MethodGet, tc.path, av+"&$skiptoken="+url.QueryEscape(tc.token)+tc.extra, nil, "")
			checkError(t, g, http.StatusBadRequest, "InvalidSkipToken")
		})
	}
}
