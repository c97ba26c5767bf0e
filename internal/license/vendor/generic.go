package vendor

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/lockstream/lockstream/internal/license"
)

// Generic forwards with headers, query and body from templates: for an
// operator-run license server (a PlayReady Server SDK deployment) or a
// vendor without a dedicated type.
type Generic struct {
	Client HTTPClient
}

// License expands the templates and forwards.
func (g *Generic) License(ctx context.Context, req license.Request) (license.Response, error) {
	s := req.Server.Generic
	r := placeholders(req)
	h := passHeaders(req)
	for k, v := range s.Headers {
		h.Set(k, r.Replace(v))
	}
	q := url.Values{}
	for k, v := range s.Query {
		q.Set(k, r.Replace(v))
	}
	body := req.Challenge
	if s.Body != "" {
		body = []byte(r.Replace(s.Body))
	}
	if s.ContentType != "" {
		h.Set("Content-Type", s.ContentType)
	}
	resp, err := forward(ctx, g.Client, req.Server.URL, q, h, body)
	if err != nil || s.ResponseField == "" {
		return resp, err
	}
	var m map[string]any
	if err := json.Unmarshal(resp.Body, &m); err != nil {
		return license.Response{}, license.Errorf(http.StatusBadGateway, license.CodeUpstream, "The license vendor's answer is not JSON.", "decode vendor answer", err)
	}
	v, _ := m[s.ResponseField].(string)
	lic, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(lic) == 0 {
		return license.Response{}, license.Errorf(http.StatusBadGateway, license.CodeUpstream, "The license vendor's answer holds no license.", "response field "+s.ResponseField, err)
	}
	return license.Response{Header: http.Header{"Content-Type": {"application/octet-stream"}}, Body: lic}, nil
}

// placeholders are the values templates may use. Values go in as they
// are: a template puts them where the vendor expects them (JSON strings,
// header values), and none holds a quote or a line break.
func placeholders(req license.Request) *strings.Replacer {
	k := req.Keys[0]
	return strings.NewReplacer(
		"{token}", req.Token,
		"{kid}", hex.EncodeToString(k.KID[:]),
		"{kidUuid}", k.KID.String(),
		"{keyBase64}", base64.StdEncoding.EncodeToString(k.Key[:]),
		"{keyHex}", hex.EncodeToString(k.Key[:]),
		"{challengeBase64}", base64.StdEncoding.EncodeToString(req.Challenge),
		"{drm}", license.DRMName(req.Kind),
	)
}
