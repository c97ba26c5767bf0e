package conf

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Roles a node can run. One serve runs all of them by default.
const (
	RoleAPI    = "api"    // management API, identity, signed blob URLs
	RoleOrigin = "origin" // streaming endpoint
	RoleKeys   = "keys"   // key delivery
	RoleEncode = "encode" // runs encoding jobs (needs ffmpeg and ffprobe)
)

// AllRoles lists every role in start order.
var AllRoles = []string{RoleAPI, RoleOrigin, RoleKeys, RoleEncode}

// Conf is the whole configuration. Each field carries its JSON name, its
// environment variable (env) and its flag name (flag); see Load.
type Conf struct {
	DataDir string   `json:"dataDir" env:"LOCKSTREAM_DATA_DIR" flag:"data-dir" help:"directory for the embedded database, blobs and generated keys"`
	Roles   []string `json:"roles" env:"LOCKSTREAM_ROLES" flag:"roles" help:"comma-separated roles this node runs: api,origin,keys,encode"`

	Log struct {
		Level  string `json:"level" env:"LOCKSTREAM_LOG_LEVEL" flag:"log-level" help:"debug, info, warn or error"`
		Format string `json:"format" env:"LOCKSTREAM_LOG_FORMAT" flag:"log-format" help:"text or json"`
	} `json:"log"`

	API struct {
		Listen string `json:"listen" env:"LOCKSTREAM_API_LISTEN" flag:"api-listen" help:"listen address of the management API (also identity, key delivery, signed blob URLs)"`
		// PublicURL is the externally visible base URL of the API listener,
		// used in @odata.nextLink and signed blob URLs.
		PublicURL    string   `json:"publicURL" env:"LOCKSTREAM_API_PUBLIC_URL" flag:"api-public-url" help:"external base URL of the API listener (default http://<listen>)"`
		MaxBodyBytes int64    `json:"maxBodyBytes" env:"LOCKSTREAM_API_MAX_BODY_BYTES" flag:"api-max-body-bytes" help:"largest accepted request body"`
		Location     string   `json:"location" env:"LOCKSTREAM_LOCATION" flag:"location" help:"region name reported for tracked resources"`
		PageSize     int      `json:"pageSize" env:"LOCKSTREAM_API_PAGE_SIZE" flag:"api-page-size" help:"items per list page"`
		Timeout      Duration `json:"timeout" env:"LOCKSTREAM_API_TIMEOUT" flag:"api-timeout" help:"per-request timeout"`
	} `json:"api"`

	Origin struct {
		Listen string `json:"listen" env:"LOCKSTREAM_ORIGIN_LISTEN" flag:"origin-listen" help:"listen address of the streaming origin"`
		// HostName is what streaming endpoints report as hostName; empty
		// means the listen address.
		HostName string `json:"hostName" env:"LOCKSTREAM_ORIGIN_HOST_NAME" flag:"origin-host-name" help:"host[:port] reported as the streaming endpoints' hostName"`
		// SegmentDuration is the target segment length; segments are cut at
		// the first video sync sample at or after each multiple.
		SegmentDuration Duration `json:"segmentDuration" env:"LOCKSTREAM_ORIGIN_SEGMENT_DURATION" flag:"origin-segment-duration" help:"target segment duration of packaged streams"`
		// CacheMB bounds the memory of parsed sample tables.
		CacheMB int `json:"cacheMB" env:"LOCKSTREAM_ORIGIN_CACHE_MB" flag:"origin-cache-mb" help:"memory for parsed MP4 sample tables, in MiB"`
	} `json:"origin"`

	KeyDelivery struct {
		// AllowHTTPDiscovery lets token restrictions name an http:// OpenID
		// Connect discovery document: for development and tests only, since
		// keys fetched in the clear can be replaced on the way.
		AllowHTTPDiscovery bool `json:"allowHTTPDiscovery" env:"LOCKSTREAM_KEYDELIVERY_ALLOW_HTTP_DISCOVERY" flag:"keydelivery-allow-http-discovery" help:"accept http:// OpenID Connect discovery documents in token restrictions (development only)"`
		// FairPlayHelper is the operator's key-derivation program, built
		// from Apple's FPS SDK (protocol in package drm/fairplay/ksm).
		// Empty: FairPlay license requests answer 501.
		FairPlayHelper string `json:"fairPlayHelper" env:"LOCKSTREAM_KEYDELIVERY_FAIRPLAY_HELPER" flag:"keydelivery-fairplay-helper" help:"path of the FairPlay key-derivation helper built from the FPS SDK (enables the FairPlay key server)"`
	} `json:"keyDelivery"`

	// Outbound configures the guard every server-side fetch of a
	// user-supplied URL goes through (package netguard): OpenID Connect
	// discovery documents and key sets of content key policies.
	Outbound struct {
		AllowPrivate bool     `json:"allowPrivate" env:"LOCKSTREAM_OUTBOUND_ALLOW_PRIVATE" flag:"outbound-allow-private" help:"let server-side fetches of user-supplied URLs reach loopback, private, link-local and CGNAT addresses (refused by default)"`
		AllowHosts   []string `json:"allowHosts" env:"LOCKSTREAM_OUTBOUND_ALLOW_HOSTS" flag:"outbound-allow-hosts" help:"comma-separated host names (*.domain), IPs or CIDRs, each optionally :port, that server-side fetches may always reach, e.g. an internal identity provider"`
		CAFile       string   `json:"caFile" env:"LOCKSTREAM_OUTBOUND_CA_FILE" flag:"outbound-ca-file" help:"PEM bundle of CAs trusted by server-side fetches besides the system roots and the node's own certificate"`
	} `json:"outbound"`

	Store struct {
		Driver string `json:"driver" env:"LOCKSTREAM_STORE_DRIVER" flag:"store-driver" help:"sqlite or postgres"`
		// DSN is a file path for sqlite (default <dataDir>/lockstream.db) or
		// a PostgreSQL connection string.
		DSN Secret `json:"dsn" env:"LOCKSTREAM_STORE_DSN" flag:"store-dsn" help:"sqlite path or PostgreSQL connection string"`
	} `json:"store"`

	Blob struct {
		Driver string `json:"driver" env:"LOCKSTREAM_BLOB_DRIVER" flag:"blob-driver" help:"local, azure or s3"`
		Dir    string `json:"dir" env:"LOCKSTREAM_BLOB_DIR" flag:"blob-dir" help:"root directory of the local blob store (default <dataDir>/blobs)"`
		// SigningKey signs local blob URLs; generated under the data dir when
		// empty.
		SigningKey Secret `json:"signingKey" env:"LOCKSTREAM_BLOB_SIGNING_KEY" flag:"blob-signing-key" help:"secret for signed local blob URLs (generated when empty)"`
		// Listen is the local backend's blob endpoint, a listener of its own
		// so that signed container URLs have Azure's layout
		// (scheme://host/{container}?sas) — client code takes the first
		// path segment as the container. 10000 is Azurite's blob port.
		Listen string `json:"listen" env:"LOCKSTREAM_BLOB_LISTEN" flag:"blob-listen" help:"listen address of the local blob endpoint (signed container URLs https://host/<container>?sas, like Azure's)"`
		// PublicURL is the externally visible base URL of that listener;
		// empty means scheme://<listen address>. It must have no path.
		PublicURL string `json:"publicURL" env:"LOCKSTREAM_BLOB_PUBLIC_URL" flag:"blob-public-url" help:"external base URL of the local blob endpoint, no path (default http(s)://<blob listen address>)"`
		Azure     struct {
			ServiceURL  string `json:"serviceURL" env:"LOCKSTREAM_AZURE_BLOB_URL" flag:"azure-blob-url" help:"blob service URL, e.g. https://acct.blob.core.windows.net"`
			AccountName string `json:"accountName" env:"LOCKSTREAM_AZURE_ACCOUNT_NAME" flag:"azure-account-name" help:"storage account name"`
			AccountKey  Secret `json:"accountKey" env:"LOCKSTREAM_AZURE_ACCOUNT_KEY" flag:"azure-account-key" help:"storage account key"`
		} `json:"azure"`
		// S3 configures the s3 driver (package blob/s3). Signed container
		// URLs then point at the node's own Azure-compatible blob endpoint
		// (blob.listen / blob.publicURL), which every node must sign with
		// the same blob.signingKey.
		S3 struct {
			Endpoint           string `json:"endpoint" env:"LOCKSTREAM_S3_ENDPOINT" flag:"blob-s3-endpoint" help:"S3 API URL, e.g. http://seaweedfs:8333 (default AWS for the region)"`
			Region             string `json:"region" env:"LOCKSTREAM_S3_REGION" flag:"blob-s3-region" help:"S3 region used for signing"`
			Bucket             string `json:"bucket" env:"LOCKSTREAM_S3_BUCKET" flag:"blob-s3-bucket" help:"bucket holding every container (or, with bucket-per-container, Lockstream's private objects)"`
			BucketPerContainer bool   `json:"bucketPerContainer" env:"LOCKSTREAM_S3_BUCKET_PER_CONTAINER" flag:"blob-s3-bucket-per-container" help:"one bucket per container, named <bucket prefix><container>, instead of key prefixes in one bucket"`
			BucketPrefix       string `json:"bucketPrefix" env:"LOCKSTREAM_S3_BUCKET_PREFIX" flag:"blob-s3-bucket-prefix" help:"prefix of per-container bucket names"`
			PathStyle          bool   `json:"pathStyle" env:"LOCKSTREAM_S3_PATH_STYLE" flag:"blob-s3-path-style" help:"path-style bucket addressing (most self-hosted S3 servers)"`
			AccessKeyID        string `json:"accessKeyId" env:"LOCKSTREAM_S3_ACCESS_KEY_ID" flag:"blob-s3-access-key-id" help:"static access key id (default: the AWS credential chain)"`
			SecretAccessKey    Secret `json:"secretAccessKey" env:"LOCKSTREAM_S3_SECRET_ACCESS_KEY" flag:"blob-s3-secret-access-key" help:"static secret access key"`
			PartSizeMB         int    `json:"partSizeMB" env:"LOCKSTREAM_S3_PART_SIZE_MB" flag:"blob-s3-part-size-mb" help:"multipart part size of large writes, in MiB (at least 5)"`
		} `json:"s3"`
	} `json:"blob"`

	Keys struct {
		// KEK is the key-encryption key (64 hex chars or base64 of 32
		// bytes). When empty, KEKFile is used, created if absent.
		KEK     Secret `json:"kek" env:"LOCKSTREAM_KEK" flag:"kek" help:"key-encryption key for secrets at rest (hex or base64 of 32 bytes)"`
		KEKFile string `json:"kekFile" env:"LOCKSTREAM_KEK_FILE" flag:"kek-file" help:"file holding the key-encryption key (default <dataDir>/kek, created when absent)"`
		// PreviousKEKs can still open secrets sealed before a rotation.
		PreviousKEKs []Secret `json:"previousKEKs" env:"LOCKSTREAM_PREVIOUS_KEKS" flag:"previous-keks" help:"comma-separated older KEKs, for reading during a re-wrap"`
	} `json:"keys"`

	Identity struct {
		TenantID string `json:"tenantId" env:"LOCKSTREAM_TENANT_ID" flag:"tenant-id" help:"tenant GUID of the built-in identity provider (token URLs are /<tenant>/oauth2/v2.0/token)"`
		Audience string `json:"audience" env:"LOCKSTREAM_AUDIENCE" flag:"audience" help:"audience (aud) of management API tokens; clients request <audience>/.default"`
		// Issuers lists extra base URLs clients reach the token endpoint by
		// (beyond api.publicURL), e.g. behind a proxy.
		Issuers       []string `json:"issuers" env:"LOCKSTREAM_ISSUER_BASE_URLS" flag:"issuer-base-urls" help:"comma-separated extra base URLs of the token endpoint accepted as issuers"`
		TokenLifetime Duration `json:"tokenLifetime" env:"LOCKSTREAM_TOKEN_LIFETIME" flag:"token-lifetime" help:"lifetime of management access tokens"`
		KeyLifetime   Duration `json:"keyLifetime" env:"LOCKSTREAM_SIGNING_KEY_LIFETIME" flag:"signing-key-lifetime" help:"how long one token signing key signs before rotation"`
	} `json:"identity"`

	// STS is the security token service for playback tokens (package sts),
	// served on the API listener under /sts.
	STS struct {
		Enabled bool `json:"enabled" env:"LOCKSTREAM_STS_ENABLED" flag:"sts-enabled" help:"serve the playback token service under /sts on the API listener"`
		// Issuer is the tokens' iss and the public base URL of the service;
		// empty means <api.publicURL>/sts.
		Issuer        string   `json:"issuer" env:"LOCKSTREAM_STS_ISSUER" flag:"sts-issuer" help:"issuer of playback tokens and public URL of the token service (default <api public URL>/sts)"`
		Audience      string   `json:"audience" env:"LOCKSTREAM_STS_AUDIENCE" flag:"sts-audience" help:"audience (aud) of playback tokens; content key policies restrict to it"`
		TokenLifetime Duration `json:"tokenLifetime" env:"LOCKSTREAM_STS_TOKEN_LIFETIME" flag:"sts-token-lifetime" help:"lifetime of playback tokens (tokens with maxuses: at most 55m)"`
		KeyType       string   `json:"keyType" env:"LOCKSTREAM_STS_KEY_TYPE" flag:"sts-key-type" help:"token signing algorithm: RS256, ES256 (keys generated and rotated) or HS256 (sts.hmacKey)"`
		// HMACKey is base64 (standard or URL alphabet) of at least 32 bytes.
		HMACKey     Secret   `json:"hmacKey" env:"LOCKSTREAM_STS_HMAC_KEY" flag:"sts-hmac-key" help:"HS256 signing key, base64 of at least 32 bytes"`
		KeyRotation Duration `json:"keyRotation" env:"LOCKSTREAM_STS_KEY_ROTATION" flag:"sts-key-rotation" help:"how long one RS256/ES256 signing key signs before its successor (published an hour ahead) takes over"`
	} `json:"sts"`

	// Events configures Event Grid-compatible event delivery (package
	// events) on API nodes.
	Events struct {
		// AllowPrivate lets webhooks point at loopback, private and
		// link-local addresses (refused by default: SSRF).
		AllowPrivate bool     `json:"allowPrivate" env:"LOCKSTREAM_EVENTS_ALLOW_PRIVATE" flag:"events-allow-private" help:"allow event webhooks on loopback, private and link-local addresses (development only)"`
		AllowHTTP    bool     `json:"allowHTTP" env:"LOCKSTREAM_EVENTS_ALLOW_HTTP" flag:"events-allow-http" help:"allow http:// event webhooks (default https only)"`
		Timeout      Duration `json:"timeout" env:"LOCKSTREAM_EVENTS_TIMEOUT" flag:"events-timeout" help:"timeout of one event delivery request"`
		Workers      int      `json:"workers" env:"LOCKSTREAM_EVENTS_WORKERS" flag:"events-workers" help:"concurrent event delivery requests per node"`
		// PerDestination bounds concurrent requests to one webhook host.
		PerDestination int `json:"perDestination" env:"LOCKSTREAM_EVENTS_PER_DESTINATION" flag:"events-per-destination" help:"concurrent event delivery requests per webhook host"`
	} `json:"events"`

	TLS struct {
		CertFile   string `json:"certFile" env:"LOCKSTREAM_TLS_CERT_FILE" flag:"tls-cert-file" help:"PEM certificate (chain) for HTTPS on every listener"`
		KeyFile    string `json:"keyFile" env:"LOCKSTREAM_TLS_KEY_FILE" flag:"tls-key-file" help:"PEM private key for --tls-cert-file"`
		SelfSigned bool   `json:"selfSigned" env:"LOCKSTREAM_TLS_SELF_SIGNED" flag:"tls-self-signed" help:"serve HTTPS with a self-signed development certificate kept in <dataDir>/tls"`
		// Origin: when TLS is on, the streaming origin serves HTTPS with the
		// same certificate too (default), so one switch covers every
		// listener and every URL Lockstream writes follows it; false splits
		// them (origin plain HTTP, e.g. behind a TLS-terminating CDN).
		Origin bool `json:"origin" env:"LOCKSTREAM_TLS_ORIGIN" flag:"tls-origin" help:"when TLS is on, serve the streaming origin over HTTPS too; false keeps the origin on plain HTTP (e.g. behind a TLS-terminating CDN)"`
	} `json:"tls"`

	Bootstrap struct {
		ClientID     string `json:"clientId" env:"LOCKSTREAM_BOOTSTRAP_CLIENT_ID" flag:"bootstrap-client-id" help:"client id of the bootstrap Owner service principal"`
		ClientSecret Secret `json:"clientSecret" env:"LOCKSTREAM_BOOTSTRAP_CLIENT_SECRET" flag:"bootstrap-client-secret" help:"client secret of the bootstrap Owner service principal"`
	} `json:"bootstrap"`

	Demo struct {
		Enabled       bool   `json:"enabled" env:"LOCKSTREAM_DEMO" flag:"demo" help:"create a demo account, asset, policies and locators at start"`
		Subscription  string `json:"subscription" env:"LOCKSTREAM_DEMO_SUBSCRIPTION" flag:"demo-subscription" help:"subscription id of the demo account"`
		ResourceGroup string `json:"resourceGroup" env:"LOCKSTREAM_DEMO_RESOURCE_GROUP" flag:"demo-resource-group" help:"resource group of the demo account"`
		Account       string `json:"account" env:"LOCKSTREAM_DEMO_ACCOUNT" flag:"demo-account" help:"name of the demo account"`
	} `json:"demo"`

	// Encode configures the encode role: the job engine and ffmpeg.
	Encode struct {
		Workers int `json:"workers" env:"LOCKSTREAM_ENCODE_WORKERS" flag:"encode-workers" help:"encoding jobs this node runs at once"`
		// ScratchDir holds jobs' input and output files while they run;
		// default <dataDir>/encode-scratch.
		ScratchDir   string `json:"scratchDir" env:"LOCKSTREAM_ENCODE_SCRATCH_DIR" flag:"encode-scratch-dir" help:"directory for encoding jobs' temporary files (default <dataDir>/encode-scratch)"`
		ScratchMaxMB int64  `json:"scratchMaxMB" env:"LOCKSTREAM_ENCODE_SCRATCH_MAX_MB" flag:"encode-scratch-max-mb" help:"scratch space running jobs may reserve at once, in MiB (a job reserves three times its inputs' size)"`
		FFmpeg       string `json:"ffmpeg" env:"LOCKSTREAM_FFMPEG" flag:"ffmpeg" help:"ffmpeg program (default: ffmpeg on PATH)"`
		FFprobe      string `json:"ffprobe" env:"LOCKSTREAM_FFPROBE" flag:"ffprobe" help:"ffprobe program (default: ffprobe on PATH)"`
		// HTTPMaxMB and HTTPTimeout bound one JobInputHttp download.
		HTTPMaxMB   int64    `json:"httpMaxMB" env:"LOCKSTREAM_ENCODE_HTTP_MAX_MB" flag:"encode-http-max-mb" help:"largest HTTP job input, in MiB"`
		HTTPTimeout Duration `json:"httpTimeout" env:"LOCKSTREAM_ENCODE_HTTP_TIMEOUT" flag:"encode-http-timeout" help:"time limit of one HTTP job input download"`
		// MaxAttempts bounds how often a job whose node died is run again.
		MaxAttempts int `json:"maxAttempts" env:"LOCKSTREAM_ENCODE_MAX_ATTEMPTS" flag:"encode-max-attempts" help:"runs of one job (a node dying mid-job costs one) before it ends in Error"`
	} `json:"encode"`

	ShutdownTimeout Duration `json:"shutdownTimeout" env:"LOCKSTREAM_SHUTDOWN_TIMEOUT" flag:"shutdown-timeout" help:"grace period for in-flight requests at shutdown"`

	// Operations: metrics, rate limits, drain (ops.go).
	Metrics    Metrics   `json:"metrics"`
	RateLimit  RateLimit `json:"rateLimit"`
	Cache      Cache     `json:"cache"`
	OTel       OTel      `json:"otel"`
	DrainDelay Duration  `json:"drainDelay" env:"LOCKSTREAM_DRAIN_DELAY" flag:"drain-delay" help:"on SIGTERM, how long /readyz fails before the listeners stop accepting, so load balancers take the node out first"`

	Debug struct {
		// PprofListen serves net/http/pprof for profiling a running node;
		// empty (the default) serves nothing. Bind it to loopback only:
		// profiles show request paths and timings.
		PprofListen string `json:"pprofListen" env:"LOCKSTREAM_DEBUG_PPROF_LISTEN" flag:"debug-pprof-listen" help:"listen address of a net/http/pprof server for profiling (empty: none; loopback only)"`
	} `json:"debug"`
}

// Default returns the configuration used when nothing else is set: embedded
// SQLite and local disk under ./lockstream-data.
func Default() Conf {
	var c Conf
	c.DataDir = "lockstream-data"
	c.Roles = slices.Clone(AllRoles)
	c.Log.Level = "info"
	c.Log.Format = "text"
	c.API.Listen = "127.0.0.1:8080"
	c.API.MaxBodyBytes = 4 << 20
	c.API.Location = "local"
	c.API.PageSize = 100
	c.API.Timeout = Duration(60 * time.Second)
	c.Origin.Listen = "127.0.0.1:8081"
	c.Origin.SegmentDuration = Duration(4 * time.Second)
	c.Origin.CacheMB = 256
	c.Store.Driver = "sqlite"
	c.Blob.Driver = "local"
	c.Blob.Listen = "127.0.0.1:10000"
	c.Blob.S3.Region = "us-east-1"
	c.Blob.S3.PartSizeMB = 8
	c.Demo.Subscription = "00000000-0000-0000-0000-000000000000"
	c.Demo.ResourceGroup = "demo"
	c.Demo.Account = "demo"
	c.Identity.TenantID = "00000000-0000-0000-0000-00000000a11d"
	c.Identity.Audience = "https://management.lockstream.local"
	c.Identity.TokenLifetime = Duration(time.Hour)
	c.Identity.KeyLifetime = Duration(24 * time.Hour)
	c.STS.Enabled = true
	c.STS.Audience = "urn:lockstream:playback"
	c.STS.TokenLifetime = Duration(time.Hour)
	c.STS.KeyType = "RS256"
	c.STS.KeyRotation = Duration(24 * time.Hour)
	c.Encode.Workers = 1
	c.Encode.ScratchMaxMB = 20 << 10
	c.Encode.HTTPMaxMB = 8 << 10
	c.Encode.HTTPTimeout = Duration(30 * time.Minute)
	c.Encode.MaxAttempts = 3
	c.TLS.Origin = true
	c.Events.Timeout = Duration(30 * time.Second)
	c.Events.Workers = 16
	c.Events.PerDestination = 4
	c.ShutdownTimeout = Duration(15 * time.Second)
	defaultOps(&c)
	return c
}

// FieldError reports an invalid setting by its JSON path.
type FieldError struct {
	Field string
	Value string
	Msg   string
}

func (e *FieldError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("config %s: %s", e.Field, e.Msg)
	}
	return fmt.Sprintf("config %s=%q: %s", e.Field, e.Value, e.Msg)
}

// Validate checks the configuration and fills derived defaults.
func (c *Conf) Validate() error {
	if c.DataDir == "" {
		return &FieldError{Field: "dataDir", Msg: "must not be empty"}
	}
	if len(c.Roles) == 0 {
		return &FieldError{Field: "roles", Msg: "at least one role is needed"}
	}
	for _, r := range c.Roles {
		if !slices.Contains(AllRoles, r) {
			return &FieldError{Field: "roles", Value: r, Msg: "unknown role (want " + strings.Join(AllRoles, ", ") + ")"}
		}
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return &FieldError{Field: "log.level", Value: c.Log.Level, Msg: "want debug, info, warn or error"}
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		return &FieldError{Field: "log.format", Value: c.Log.Format, Msg: "want text or json"}
	}
	if c.API.PublicURL != "" {
		u, err := url.Parse(c.API.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &FieldError{Field: "api.publicURL", Value: c.API.PublicURL, Msg: "must be an absolute http(s) URL"}
		}
	}
	if c.API.MaxBodyBytes < 1024 {
		return &FieldError{Field: "api.maxBodyBytes", Msg: "must be at least 1024"}
	}
	if c.API.PageSize < 1 || c.API.PageSize > 1000 {
		return &FieldError{Field: "api.pageSize", Msg: "must be between 1 and 1000"}
	}
	switch c.Store.Driver {
	case "sqlite":
	case "postgres":
		if c.Store.DSN == "" {
			return &FieldError{Field: "store.dsn", Msg: "required for the postgres driver"}
		}
	default:
		return &FieldError{Field: "store.driver", Value: c.Store.Driver, Msg: "want sqlite or postgres"}
	}
	switch c.Blob.Driver {
	case "local":
	case "azure":
		if c.Blob.Azure.ServiceURL == "" || c.Blob.Azure.AccountName == "" || c.Blob.Azure.AccountKey == "" {
			return &FieldError{Field: "blob.azure", Msg: "serviceURL, accountName and accountKey are required for the azure driver"}
		}
	case "s3":
		if err := c.validateS3(); err != nil {
			return err
		}
	default:
		return &FieldError{Field: "blob.driver", Value: c.Blob.Driver, Msg: "want local, azure or s3"}
	}
	if c.Blob.Driver != "azure" && c.Blob.Listen == "" {
		return &FieldError{Field: "blob.listen", Msg: "required for the local and s3 drivers"}
	}
	if c.Blob.PublicURL != "" {
		u, err := url.Parse(c.Blob.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" {
			return &FieldError{Field: "blob.publicURL", Value: c.Blob.PublicURL, Msg: "must be an absolute http(s) URL without a path (the container is the first path segment)"}
		}
	}
	if c.Blob.SigningKey != "" && len(c.Blob.SigningKey) < 32 {
		return &FieldError{Field: "blob.signingKey", Msg: "must be at least 32 characters"}
	}
	if _, err := uuid.Parse(c.Identity.TenantID); err != nil || len(c.Identity.TenantID) != 36 {
		return &FieldError{Field: "identity.tenantId", Value: c.Identity.TenantID, Msg: "must be a GUID"}
	}
	if u, err := url.Parse(c.Identity.Audience); err != nil || u.Scheme == "" || u.Host == "" {
		return &FieldError{Field: "identity.audience", Value: c.Identity.Audience, Msg: "must be an absolute URI"}
	}
	for _, is := range c.Identity.Issuers {
		if u, err := url.Parse(is); err != nil || u.Scheme != "https" || u.Host == "" {
			return &FieldError{Field: "identity.issuers", Value: is, Msg: "must be an absolute https URL"}
		}
	}
	if c.Identity.TokenLifetime.Std() < time.Minute || c.Identity.TokenLifetime.Std() > 24*time.Hour {
		return &FieldError{Field: "identity.tokenLifetime", Msg: "must be between 1m and 24h"}
	}
	if c.Identity.KeyLifetime.Std() < 2*time.Hour {
		return &FieldError{Field: "identity.keyLifetime", Msg: "must be at least 2h"}
	}
	if err := c.validateSTS(); err != nil {
		return err
	}
	if c.Encode.Workers < 1 || c.Encode.Workers > 64 {
		return &FieldError{Field: "encode.workers", Msg: "must be between 1 and 64"}
	}
	if c.Encode.ScratchMaxMB < 64 {
		return &FieldError{Field: "encode.scratchMaxMB", Msg: "must be at least 64"}
	}
	if c.Encode.HTTPMaxMB < 1 {
		return &FieldError{Field: "encode.httpMaxMB", Msg: "must be at least 1"}
	}
	if c.Encode.HTTPTimeout.Std() < time.Second {
		return &FieldError{Field: "encode.httpTimeout", Msg: "must be at least 1s"}
	}
	if c.Encode.MaxAttempts < 1 || c.Encode.MaxAttempts > 100 {
		return &FieldError{Field: "encode.maxAttempts", Msg: "must be between 1 and 100"}
	}
	if err := c.validateOutbound(); err != nil {
		return err
	}
	if (c.TLS.CertFile == "") != (c.TLS.KeyFile == "") {
		return &FieldError{Field: "tls", Msg: "certFile and keyFile must be set together"}
	}
	if c.TLS.CertFile != "" && c.TLS.SelfSigned {
		return &FieldError{Field: "tls.selfSigned", Msg: "cannot be combined with certFile"}
	}
	if (c.Bootstrap.ClientID == "") != (c.Bootstrap.ClientSecret == "") {
		return &FieldError{Field: "bootstrap", Msg: "clientId and clientSecret must be set together"}
	}
	if c.Bootstrap.ClientSecret != "" && len(c.Bootstrap.ClientSecret) < 16 {
		return &FieldError{Field: "bootstrap.clientSecret", Msg: "must be at least 16 characters"}
	}
	return c.validateOps()
}

// HasRole reports whether this node runs role.
func (c *Conf) HasRole(role string) bool { return slices.Contains(c.Roles, role) }

// TLSEnabled reports whether the API listener serves HTTPS.
func (c *Conf) TLSEnabled() bool { return c.TLS.CertFile != "" || c.TLS.SelfSigned }
