package api

import (
	"encoding/json"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/license/settings"
	"github.com/lockstream/lockstream/internal/store"
)

// headerWarning carries Lockstream's advice on a successful answer,
// outside the AMS body so that SDKs are unaffected.
const headerWarning = "x-lockstream-warning"

// playReadyWarning tells the operator, when a locator is created or its
// paths listed, that its streaming policy signals PlayReady while no
// license server issues PlayReady licenses: Lockstream cannot mint them
// (that needs Microsoft's server SDK), so without a license server (or a
// custom license URL template) players would only find out at playback.
func playReadyWarning(c *call, tx store.Reader, spDoc []byte) {
	var sp defs.StreamingPolicyProperties
	if json.Unmarshal(spDoc, &sp) != nil {
		return
	}
	signals := false
	if e := sp.CommonEncryptionCenc; e != nil && e.Drm != nil && e.Drm.PlayReady != nil && e.Drm.PlayReady.CustomLicenseAcquisitionURLTemplate == "" {
		signals = true
	}
	if e := sp.CommonEncryptionCbcs; e != nil && e.Drm != nil && e.Drm.PlayReady != nil && e.Drm.PlayReady.CustomLicenseAcquisitionURLTemplate == "" {
		signals = true
	}
	if !signals {
		return
	}
	rs, err := tx.List(c.ctx, store.ListQuery{Kind: store.KindLicenseServer, Scope: c.acct.scope(), Limit: 100})
	if err != nil {
		return // advice only: a failed read must not fail the request
	}
	for _, r := range rs {
		var p struct {
			DRM string `json:"drm"`
		}
		if json.Unmarshal(r.Doc, &p) == nil && p.DRM == settings.DRMPlayReady {
			return
		}
	}
	c.w.Header().Set(headerWarning, "PlayReady licenses have no server: the streaming policy signals PlayReady, but this account has no PlayReady "+
		"license server (licenseServers) and Lockstream cannot issue PlayReady licenses itself; PlayReady players will get 501.")
}
