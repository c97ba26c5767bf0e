package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/google/uuid"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/odata"
	"github.com/lockstream/lockstream/internal/store"
)

var assetSpec = &kindSpec{
	kind:    store.KindAsset,
	segment: "assets",
	armType: "Microsoft.Media/mediaservices/assets",
	top:     true,
	schema:  odata.SchemaFor(store.KindAsset),

	build:       buildAsset,
	afterDelete: deleteAssetContainer,
	actions: map[string]actionFunc{
		"listContainerSas":      listContainerSas,
		"listStreamingLocators": listAssetLocators,
		"getEncryptionKey":      getEncryptionKey,
	},
}

// assetDoc is the stored asset properties.
type assetDoc struct {
	AssetID                 string `json:"assetId"`
	Created                 string `json:"created"`
	LastModified            string `json:"lastModified"`
	AlternateID             string `json:"alternateId,omitempty"`
	Description             string `json:"description,omitempty"`
	Container               string `json:"container"`
	StorageAccountName      string `json:"storageAccountName"`
	StorageEncryptionFormat string `json:"storageEncryptionFormat"`
	EncryptionScope         string `json:"encryptionScope,omitempty"`
}

// storageAccountName is what assets report; Lockstream has one store.
const storageAccountName = "lockstream"

func buildAsset(c *call, tx store.Reader, p *resourcePath, prev *store.Resource, body []byte) (*record, error) {
	var in defs.Asset
	if err := decodeJSON(body, &in); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var ai struct {
		Properties struct {
			AlternateID        string `json:"alternateId"`
			Description        string `json:"description"`
			Container          string `json:"container"`
			StorageAccountName string `json:"storageAccountName"`
			EncryptionScope    string `json:"encryptionScope"`
		} `json:"properties"`
	}
	_ = json.Unmarshal(body, &ai)
	in2 := ai.Properties
	doc := assetDoc{
		Created: store.FormatTime(c.now), LastModified: store.FormatTime(c.now),
		AlternateID: in2.AlternateID, Description: in2.Description,
		Container: in2.Container, StorageAccountName: storageAccountName, StorageEncryptionFormat: "None",
		EncryptionScope: in2.EncryptionScope,
	}
	if in2.StorageAccountName != "" && in2.StorageAccountName != storageAccountName {
		return nil, paramError("properties.storageAccountName", "'%s' is not a storage account of this account; use '%s' or omit it.", in2.StorageAccountName, storageAccountName)
	}
	if prev != nil {
		var old assetDoc
		if err := json.Unmarshal(prev.Doc, &old); err != nil {
			return nil, fmt.Errorf("decode stored asset: %w", err)
		}
		if doc.Container != "" && doc.Container != old.Container {
			return nil, paramError("properties.container", "the container of an existing asset cannot be changed (it is '%s').", old.Container)
		}
		doc.AssetID, doc.Created, doc.Container = old.AssetID, old.Created, old.Container
	} else {
		doc.AssetID = uuid.Must(uuid.NewRandomFromReader(c.s.rand())).String()
		if doc.Container == "" {
			doc.Container = "asset-" + doc.AssetID
		}
	}
	if blob.ValidateContainer(doc.Container) != nil {
		return nil, paramError("properties.container", "'%s' is not a valid container name (3-63 lower-case letters, digits and single hyphens).", doc.Container)
	}
	if prev == nil {
		// The blob store is shared by every account: a container belongs to
		// one asset, or deleting either asset would delete the other's
		// media, and an asset of another account could sign URLs for it.
		users, err := tx.List(c.ctx, store.ListQuery{Kind: store.KindAsset, Scope: "/subscriptions", ScopePrefix: true, Limit: 1,
			Filter: &store.Cond{Field: store.Field{Col: store.ColDoc, Path: "container", Type: store.TypeString}, Op: store.OpEq, Value: doc.Container}})
		if err != nil {
			return nil, err
		}
		if len(users) > 0 {
			return nil, &Error{Status: http.StatusConflict, Code: "Conflict", Target: "properties.container",
				Message: fmt.Sprintf("properties.container: the container '%s' is already used by another asset.", doc.Container)}
		}
	}
	rec := &record{props: doc, id: doc.AssetID}
	if prev == nil {
		// Creating the container inside the transaction means a failure
		// leaves no asset without storage; an orphan empty container after a
		// rolled-back transaction is harmless and reused by a retry.
		rec.then = func(tx store.Tx, r *store.Resource) error {
			if err := c.s.Blob.CreateContainer(c.ctx, doc.Container); err != nil {
				return fmt.Errorf("create asset container: %w", err)
			}
			return nil
		}
	}
	return rec, nil
}

func assetContainer(r *store.Resource) (string, error) {
	var d assetDoc
	if err := json.Unmarshal(r.Doc, &d); err != nil {
		return "", fmt.Errorf("decode asset: %w", err)
	}
	return d.Container, nil
}

func deleteAssetContainer(c *call, r *store.Resource) {
	container, err := assetContainer(r)
	if err == nil {
		err = c.s.Blob.DeleteContainer(c.ctx, container)
	}
	if err != nil {
		c.s.Log.Warn("asset deleted but its container was not", "asset", r.Name, "err", err)
	}
}

func listContainerSas(c *call, p *resourcePath, r *store.Resource) error {
	var in defs.ListContainerSasInput
	if err := c.readBody(&in, false); err != nil {
		return err
	}
	if err := in.Validate(c.now); err != nil {
		return err
	}
	var raw struct {
		Permissions string    `json:"permissions"`
		ExpiryTime  time.Time `json:"expiryTime"`
	}
	b, _ := json.Marshal(in)
	_ = json.Unmarshal(b, &raw)
	if raw.ExpiryTime.After(c.now.Add(24 * time.Hour)) {
		return paramError("expiryTime", "must be less than 24 hours from now.")
	}
	container, err := assetContainer(r)
	if err != nil {
		return err
	}
	u, err := c.s.Blob.SignedContainerURL(c.ctx, container, blob.Permission(raw.Permissions), raw.ExpiryTime)
	if err != nil {
		return fmt.Errorf("sign container url: %w", err)
	}
	c.w.Header().Set("Cache-Control", "no-store")
	writeJSON(c.w, http.StatusOK, map[string][]string{"assetContainerSasUrls": {u}})
	return nil
}

func listAssetLocators(c *call, p *resourcePath, r *store.Resource) error {
	refs, err := c.s.Store.Referrers(c.ctx, r.Key(), 1000)
	if err != nil {
		return err
	}
	type item struct {
		Name                        string `json:"name"`
		AssetName                   string `json:"assetName"`
		Created                     string `json:"created"`
		StartTime                   string `json:"startTime,omitempty"`
		EndTime                     string `json:"endTime"`
		StreamingLocatorID          string `json:"streamingLocatorId"`
		StreamingPolicyName         string `json:"streamingPolicyName"`
		DefaultContentKeyPolicyName string `json:"defaultContentKeyPolicyName,omitempty"`
	}
	out := struct {
		StreamingLocators []item `json:"streamingLocators"`
	}{StreamingLocators: []item{}}
	for _, k := range refs {
		if k.Kind != store.KindStreamingLocator {
			continue
		}
		l, err := c.s.Store.Get(c.ctx, k)
		if err != nil {
			continue // deleted meanwhile
		}
		var v locatorView
		if err := json.Unmarshal(l.Doc, &v); err != nil {
			return fmt.Errorf("decode locator: %w", err)
		}
		out.StreamingLocators = append(out.StreamingLocators, item{Name: l.Name, AssetName: v.AssetName, Created: v.Created, StartTime: v.StartTime,
			EndTime: v.EndTime, StreamingLocatorID: v.StreamingLocatorID, StreamingPolicyName: v.StreamingPolicyName, DefaultContentKeyPolicyName: v.DefaultContentKeyPolicyName})
	}
	writeJSON(c.w, http.StatusOK, out)
	return nil
}

// getEncryptionKey served AMS v2 storage-encrypted assets; Lockstream stores
// assets in the clear (at-rest encryption is the storage's job), so there is
// never a key to return.
func getEncryptionKey(c *call, p *resourcePath, r *store.Resource) error {
	return badRequest("BadRequest", fmt.Sprintf("The asset '%s' is not storage encrypted (storageEncryptionFormat is None); there is no asset encryption key.", r.Name))
}

func pathEscape(s string) string { return url.PathEscape(s) }
