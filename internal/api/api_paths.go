package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path"
	"sort"
	"strings"

	"github.com/lockstream/lockstream/internal/blob"
	"github.com/lockstream/lockstream/internal/store"
)

// streamingPath is one entry of listPaths.
type streamingPath struct {
	StreamingProtocol string   `json:"streamingProtocol"`
	EncryptionScheme  string   `json:"encryptionScheme"`
	Paths             []string `json:"paths"`
}

// pathArgs lists the manifest arguments per protocol and scheme: the URL
// forms this origin serves, AMS's first (see ams-v3-api.md §8.3). AMS's
// DASH and Smooth envelope modes relied on Azure Media Player's own
// signalling and are not served, so they are not listed.
var pathArgs = map[string]map[string][]string{
	"Hls": {
		schemeNone:     {"format=m3u8-aapl", "format=m3u8-cmaf"},
		schemeEnvelope: {"format=m3u8-aapl,encryption=cbc", "format=m3u8-cmaf,encryption=cbc"},
		schemeCenc:     {"format=m3u8-cmaf,encryption=cenc"},
		schemeCbcs:     {"format=m3u8-aapl,encryption=cbcs-aapl", "format=m3u8-cmaf,encryption=cbcs-aapl"},
	},
	"Dash": {
		schemeNone: {"format=mpd-time-csf", "format=mpd-time-cmaf"},
		schemeCenc: {"format=mpd-time-csf,encryption=cenc", "format=mpd-time-cmaf,encryption=cenc"},
		schemeCbcs: {"format=mpd-time-cmaf,encryption=cbcs-aapl"},
	},
	"SmoothStreaming": {
		schemeNone: {""},
		schemeCenc: {"encryption=cenc"},
	},
}

// manifestNames returns the .ism names of an asset's container; an asset
// without one gets a manifest derived from its files, named after the
// asset (the origin resolves "<asset>.ism" the same way).
func manifestNames(files []string, assetName string) []string {
	var isms, media []string
	for _, f := range files {
		switch strings.ToLower(path.Ext(f)) {
		case ".ism":
			isms = append(isms, strings.TrimSuffix(f, path.Ext(f)))
		case ".mp4", ".ismv", ".isma", ".m4a", ".m4v", ".cmfv", ".cmfa":
			media = append(media, f)
		}
	}
	if len(isms) > 0 {
		sort.Strings(isms)
		return isms
	}
	if len(media) > 0 {
		return []string{assetName}
	}
	return nil
}

func listPaths(c *call, p *resourcePath, r *store.Resource) error {
	var lv locatorView
	if err := json.Unmarshal(r.Doc, &lv); err != nil {
		return fmt.Errorf("decode locator: %w", err)
	}
	scope := c.acct.scope()
	asset, err := c.s.Store.Get(c.ctx, store.Key{Kind: store.KindAsset, Scope: scope, Name: lv.AssetName})
	if err != nil {
		return fmt.Errorf("locator asset: %w", err)
	}
	sp, err := c.s.Store.Get(c.ctx, store.Key{Kind: store.KindStreamingPolicy, Scope: scope, Name: lv.StreamingPolicyName})
	if err != nil {
		return fmt.Errorf("locator streaming policy: %w", err)
	}
	pv, err := decodePolicyView(sp.Doc)
	if err != nil {
		return err
	}
	playReadyWarning(c, c.s.Store, sp.Doc)
	container, err := assetContainer(asset)
	if err != nil {
		return err
	}
	infos, err := c.s.Blob.List(c.ctx, container, "")
	if errors.Is(err, blob.ErrNotFound) {
		infos = nil // storage removed outside Lockstream: nothing to stream
	} else if err != nil {
		return fmt.Errorf("list asset files: %w", err)
	}
	files := make([]string, 0, len(infos))
	for _, i := range infos {
		files = append(files, i.Name)
	}
	out := struct {
		StreamingPaths []streamingPath `json:"streamingPaths"`
		DownloadPaths  []string        `json:"downloadPaths"`
	}{StreamingPaths: []streamingPath{}, DownloadPaths: []string{}}
	isms := manifestNames(files, asset.Name)
	type block struct {
		scheme string
		prot   *protocols
	}
	var blocks []block
	if pv.NoEncryption != nil && pv.NoEncryption.EnabledProtocols != nil {
		blocks = append(blocks, block{schemeNone, pv.NoEncryption.EnabledProtocols})
	}
	for _, sb := range pv.encrypted() {
		if sb.block.EnabledProtocols != nil {
			blocks = append(blocks, block{sb.scheme, sb.block.EnabledProtocols})
		}
	}
	base := "/" + lv.StreamingLocatorID + "/"
	for _, b := range blocks {
		for _, prot := range []string{"Hls", "Dash", "SmoothStreaming"} {
			enabled := map[string]bool{"Hls": b.prot.Hls, "Dash": b.prot.Dash, "SmoothStreaming": b.prot.SmoothStreaming}[prot]
			args := pathArgs[prot][b.scheme]
			if !enabled || len(args) == 0 || len(isms) == 0 {
				continue
			}
			sp := streamingPath{StreamingProtocol: prot, EncryptionScheme: b.scheme, Paths: []string{}}
			for _, ism := range isms {
				for _, a := range args {
					u := base + escapePath(ism) + ".ism/manifest"
					if a != "" {
						u += "(" + a + ")"
					}
					sp.Paths = append(sp.Paths, u)
				}
			}
			out.StreamingPaths = append(out.StreamingPaths, sp)
		}
		if b.scheme == schemeNone && b.prot.Download {
			for _, f := range files {
				out.DownloadPaths = append(out.DownloadPaths, base+escapePath(f))
			}
		}
	}
	writeJSON(c.w, http.StatusOK, out)
	return nil
}

// escapePath escapes each segment of a blob name for use in a URL path.
func escapePath(name string) string {
	segs := strings.Split(name, "/")
	for i, s := range segs {
		segs[i] = strings.ReplaceAll(pathEscape(s), "+", "%2B")
	}
	return strings.Join(segs, "/")
}
