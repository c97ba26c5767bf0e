package fairplay_test

import (
	"testing"

	"github.com/lockstream/lockstream/internal/drm/fairplay"
)

// FuzzParseSKDURI checks that skd URIs from players never panic the parser
// and that a host and key ID it extracts survive SKDURI and a second parse.
//
// Corpus in testdata/fuzz/FuzzParseSKDURI: two-kid-parameters (refused),
// percent-escaped-host (refused, or SKDURI could not rebuild the URI).
func FuzzParseSKDURI(f *testing.F) {
	for _, s := range []string{
		"skd://acct.keydelivery.westus.media.azure.net/FairPlay/?kid=8ba94ade-6eb9-449d-b44f-a5beefaf43b0",
		"skd://h/keys?asset=x&kid=8ba94ade6eb9449db44fa5beefaf43b0",
		"skd://[::1]:8443/?kid={8ba94ade-6eb9-449d-b44f-a5beefaf43b0}",
		"skd://8ba94ade-6eb9-449d-b44f-a5beefaf43b0",
		"skd://h/?kid=%zz",
		"skd:opaque",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		host, kid, err := fairplay.ParseSKDURI(s)
		if err != nil {
			if host != "" || !kid.IsZero() {
				t.Fatalf("error %v with results %q %v", err, host, kid)
			}
			return
		}
		if host == "" {
			return // bare key-id form: no host to rebuild from
		}
		uri := fairplay.SKDURI(host, kid)
		host2, kid2, err := fairplay.ParseSKDURI(uri)
		if err != nil || host2 != host || kid2 != kid {
			t.Fatalf("round trip of %q via %q: %q %v %v", s, uri, host2, kid2, err)
		}
	})
}
