package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/lockstream/lockstream/internal/keyexchange"
	"github.com/lockstream/lockstream/internal/store"
)

// exportContentKeys (POST …/streamingLocators/{name}/exportContentKeys, a
// Lockstream addition) writes the locator's content keys as a CPIX
// document for a DRM vendor that ingests keys: contentId is the
// streamingLocatorId; keys are clear, or encrypted to
// {"recipientCertificate": PEM or base64 DER} when given (RSA ≥ 2048,
// CPIX document-key encryption). {"cpixVersion": "2.3"|"2.4"} picks the
// version (default 2.3). Like listContentKeys it reveals keys, so it
// needs write on streaming locators.
func exportContentKeys(c *call, _ *resourcePath, r *store.Resource) error {
	var in struct {
		RecipientCertificate string `json:"recipientCertificate"`
		CPIXVersion          string `json:"cpixVersion"`
	}
	body, err := c.body()
	if err != nil {
		return err
	}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &in); err != nil {
			return badRequest("InvalidRequestBody", "The body must be {\"recipientCertificate\":…,\"cpixVersion\":…}: "+err.Error())
		}
	}
	if in.CPIXVersion != "" && in.CPIXVersion != "2.3" && in.CPIXVersion != "2.4" {
		return badRequest("BadRequest", "cpixVersion must be 2.3 or 2.4.")
	}
	var der []byte
	if in.RecipientCertificate != "" {
		if der, err = keyexchange.RecipientDER([]byte(in.RecipientCertificate)); err != nil {
			if errors.Is(err, keyexchange.ErrBadCertificate) {
				return badRequest("BadRequest", "recipientCertificate: "+err.Error())
			}
			return err
		}
	}
	id, ks, err := keyexchange.LocatorKeys(c.ctx, c.s.Store, c.s.Sealer, r.Scope, r.Name)
	if err != nil {
		return err
	}
	doc, err := keyexchange.ExportCPIX(id, in.CPIXVersion, ks, der, c.s.rand())
	if err != nil {
		return err
	}
	c.w.Header().Set("Content-Type", "application/xml")
	c.w.Header().Set("Cache-Control", "no-store")
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(doc)
	return nil
}
