package api

import (
	"encoding/json"

	"github.com/lockstream/lockstream/internal/license/settings"
	"github.com/lockstream/lockstream/internal/odata"
	"github.com/lockstream/lockstream/internal/store"
)

// licenseServerSpec is the Lockstream addition
// …/mediaServices/{account}/licenseServers/{name}: the DRM license
// servers key delivery forwards Widevine, PlayReady and FairPlay requests
// to (package license/settings). Secrets are write-only and sealed.
var licenseServerSpec = &kindSpec{
	kind:    store.KindLicenseServer,
	segment: settings.Kind,
	armType: "Microsoft.Media/mediaservices/licenseServers",
	schema:  odata.SchemaFor(store.KindLicenseServer),
	build:   buildLicenseServer,
	// A PATCH merges into the properties with secrets, so omitted secrets
	// keep their values.
	patchBase: func(c *call, r *store.Resource) (json.RawMessage, error) { return c.openSecret(r) },
}

func buildLicenseServer(c *call, tx store.Reader, p *resourcePath, prev *store.Resource, body []byte) (*record, error) {
	var in struct {
		Properties *settings.Properties `json:"properties"`
	}
	if err := decodeJSON(body, &in); err != nil {
		return nil, err
	}
	if in.Properties == nil {
		return nil, paramError("properties", "is required.")
	}
	if err := in.Properties.Validate("properties"); err != nil {
		return nil, err
	}
	return &record{props: in.Properties.Redacted(), secret: in.Properties}, nil
}
