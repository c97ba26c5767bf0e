package api

import (
	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/odata"
	"github.com/lockstream/lockstream/internal/store"
)

var filterSchema = odata.Schema{
	"name": {Field: store.Field{Col: store.ColName}, Ops: allOps, Sortable: true},
}

var accountFilterSpec = &kindSpec{
	kind:    store.KindAccountFilter,
	segment: "accountFilters",
	armType: "Microsoft.Media/mediaservices/accountFilters",
	schema:  filterSchema,
	build: func(c *call, tx store.Reader, p *resourcePath, prev *store.Resource, body []byte) (*record, error) {
		var in defs.AccountFilter
		return buildFilter(body, &in, func() (*defs.MediaFilterProperties, error) { return in.Properties, in.Validate() })
	},
}

var assetFilterSpec = &kindSpec{
	kind:    store.KindAssetFilter,
	segment: "assetFilters",
	armType: "Microsoft.Media/mediaservices/assets/assetFilters",
	schema:  filterSchema,
	build: func(c *call, tx store.Reader, p *resourcePath, prev *store.Resource, body []byte) (*record, error) {
		var in defs.AssetFilter
		return buildFilter(body, &in, func() (*defs.MediaFilterProperties, error) { return in.Properties, in.Validate() })
	},
}

func buildFilter(body []byte, in any, check func() (*defs.MediaFilterProperties, error)) (*record, error) {
	if err := decodeJSON(body, in); err != nil {
		return nil, err
	}
	props, err := check()
	if err != nil {
		return nil, err
	}
	if props == nil {
		props = &defs.MediaFilterProperties{}
	}
	return &record{props: props}, nil
}

// accountKinds lists the collections below an account.
func accountKinds() []*kindSpec {
	assetSpec.children = []*kindSpec{assetFilterSpec}
	transformSpec.children = []*kindSpec{jobSpec}
	return []*kindSpec{assetSpec, contentKeyPolicySpec, streamingPolicySpec, streamingLocatorSpec, streamingEndpointSpec, accountFilterSpec, licenseServerSpec, keyProviderSpec, transformSpec}
}
