package vendor

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/lockstream/lockstream/internal/license"
)

// HTTPClient is the outbound guard's client (netguard.Guard.Client).
type HTTPClient interface {
	Do(*http.Request) (*http.Response, error)
}

// maxAnswer bounds a vendor's answer.
const maxAnswer = 1 << 20

// CodeVendorRefused is the code of a vendor's refusal.
const CodeVendorRefused = "LicenseVendorRefused"

// forward posts body to target with header and returns the vendor's
// answer as the player's: 2xx bodies as they came (with their content
// type), 4xx as a refusal of the request (the vendor judged the
// challenge), the rest as 502/503.
func forward(ctx context.Context, c HTTPClient, target string, query url.Values, header http.Header, body []byte) (license.Response, error) {
	u, err := url.Parse(target)
	if err != nil {
		return license.Response{}, fmt.Errorf("vendor url: %w", err)
	}
	if len(query) > 0 {
		q := u.Query()
		for k, vs := range query {
			for _, v := range vs {
				q.Add(k, v)
			}
		}
		u.RawQuery = q.Encode()
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return license.Response{}, fmt.Errorf("vendor request: %w", err)
	}
	for k, vs := range header {
		hr.Header[k] = vs
	}
	resp, err := c.Do(hr)
	if err != nil {
		return license.Response{}, license.Errorf(http.StatusServiceUnavailable, license.CodeUnavailable,
			"The license vendor cannot be reached.", "post to vendor", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil || len(b) > maxAnswer {
		return license.Response{}, license.Errorf(http.StatusBadGateway, license.CodeUpstream, "The license vendor's answer could not be read.", "read vendor answer", err)
	}
	switch {
	case resp.StatusCode/100 == 2:
		h := http.Header{}
		if ct := resp.Header.Get("Content-Type"); ct != "" {
			h.Set("Content-Type", ct)
		}
		return license.Response{Header: h, Body: b}, nil
	case resp.StatusCode/100 == 4:
		return license.Response{}, license.Errorf(http.StatusBadRequest, CodeVendorRefused,
			fmt.Sprintf("The license vendor refused the request (HTTP %d).", resp.StatusCode), "vendor 4xx", nil)
	}
	return license.Response{}, license.Errorf(http.StatusBadGateway, license.CodeUpstream,
		fmt.Sprintf("The license vendor failed (HTTP %d).", resp.StatusCode), "vendor status", nil)
}

// passHeaders are the player's headers a vendor needs to read the
// challenge (SOAPAction for PlayReady, the content type of every DRM).
func passHeaders(req license.Request) http.Header {
	h := http.Header{}
	for _, k := range []string{"Content-Type", "SOAPAction"} {
		if v := req.Header.Get(k); v != "" {
			h.Set(k, v)
		}
	}
	return h
}
