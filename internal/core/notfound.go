package core

import (
	"net/http"
	"strings"
)

// identityPath reports whether rest (the path below /{tenant}/) is an
// endpoint the identity provider serves (see identity.Service.Handler).
func identityPath(rest string) bool {
	switch rest {
	case "oauth2/v2.0/token", "oauth2/token", "v2.0/.well-known/openid-configuration",
		".well-known/openid-configuration", "discovery/v2.0/keys", "discovery/keys":
		return true
	}
	return false
}

// identityOrNotFound routes the API listener's otherwise unclaimed paths:
// requests for the identity provider — its own tenant, or any tenant on
// an identity endpoint, which gets AAD's "tenant not found" as clients
// expect — go to identity; everything else (/metrics, /foo) is a plain
// 404, not an identity error about a tenant nobody asked for.
func identityOrNotFound(tenant string, identity http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seg, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if strings.EqualFold(seg, tenant) || identityPath(rest) {
			identity.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("x-ms-error-code", "NotFound")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":{"code":"NotFound","message":"No such endpoint on this listener. The management API is under /subscriptions/ and /providers/; see also /healthz, /readyz, /player, /sts/ and /keydelivery/."}}` + "\n"))
	})
}
