package speke_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/cpix"
	"github.com/lockstream/lockstream/internal/cpix/cpixtest"
	"github.com/lockstream/lockstream/internal/drm"
	"github.com/lockstream/lockstream/internal/keydelivery"
	"github.com/lockstream/lockstream/internal/keys"
)

type combo struct {
	format    string // "DASH" or "HLS"
	system    drm.SystemID
	multi     bool // video + audio keys with usage rules
	periods   bool // two key periods (rotation)
	encrypted bool
	version   string // SPEKE version
}

func (c combo) name() string {
	n := c.format + "/" + c.system.Name()
	n += map[bool]string{false: "/single", true: "/multi"}[c.multi]
	n += map[bool]string{false: "/noperiods", true: "/periods"}[c.periods]
	n += map[bool]string{false: "/plain", true: "/encrypted"}[c.encrypted]
	return n + "/v" + c.version
}

func (c combo) scheme() string {
	if c.format == "HLS" {
		return "cbcs"
	}
	return "cenc"
}

type reqKey struct {
	kid    keys.KID
	track  string
	period string
}

// request builds a SPEKE request for c.
func request(t *testing.T, c combo, contentID string, cert []byte) (*cpix.Document, []reqKey) {
	t.Helper()
	d := &cpix.Document{ContentID: contentID, Version: map[string]string{"2.0": cpix.Version23, "2.1": cpix.Version24}[c.version]}
	tracks := []string{"ALL"}
	if c.multi {
		tracks = []string{"VIDEO", "AUDIO"}
	}
	periods := []string{""}
	if c.periods {
		periods = []string{"keyPeriod_1", "keyPeriod_2"}
		start := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
		for i, p := range periods {
			idx := int64(i + 1)
			s, e := start.Add(time.Duration(i)*time.Minute), start.Add(time.Duration(i+1)*time.Minute)
			d.Periods = append(d.Periods, cpix.ContentKeyPeriod{ID: p, Index: &idx, Start: &s, End: &e})
		}
	}
	var rks []reqKey
	for _, p := range periods {
		for _, tr := range tracks {
			kid, err := keys.NewKID(rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			rks = append(rks, reqKey{kid: kid, track: tr, period: p})
			d.ContentKeys = append(d.ContentKeys, cpix.ContentKey{KID: kid, CommonEncryptionScheme: c.scheme()})
			s := cpix.DRMSystem{KID: kid, SystemID: c.system}
			if c.format == "DASH" {
				s.PSSH, s.ContentProtectionData = cpix.Set(nil), cpix.Set(nil)
				if c.system == drm.PlayReady {
					empty := ""
					s.SmoothStreamingProtectionHeaderData = &empty
				}
			} else {
				s.HLSMedia, s.HLSMaster = cpix.Set(nil), cpix.Set(nil)
			}
			d.DRMSystems = append(d.DRMSystems, s)
			r := cpix.UsageRule{KID: kid, IntendedTrackType: tr}
			if p != "" {
				r.KeyPeriodFilters = []string{p}
			}
			maxSD := int64(768 * 576)
			switch tr {
			case "VIDEO":
				r.VideoFilters = []cpix.VideoFilter{{MaxPixels: &maxSD}}
			case "AUDIO":
				r.AudioFilters = []cpix.AudioFilter{{}}
			default:
				r.VideoFilters, r.AudioFilters = []cpix.VideoFilter{{}}, []cpix.AudioFilter{{}}
			}
			d.UsageRules = append(d.UsageRules, r)
		}
	}
	if c.encrypted {
		d.DeliveryData = []cpix.DeliveryData{{ID: "encryptor", Certificate: cert}}
	}
	return d, rks
}

// TestConformance runs the SPEKE v2 table: DASH/HLS × Widevine,
// PlayReady, FairPlay, Clear Key × single/multi-key × key periods ×
// plain/encrypted, each response checked field by field.
func TestConformance(t *testing.T) {
	n := startNode(t)
	priv, cert := recipient(t, 2048)
	urls := keydelivery.URLs{Base: n.API, Account: n.MSID}
	us := urlSet{clearKey: urls.ClearKey(), playReady: urls.PlayReady(), widevine: urls.Widevine, fairPlay: urls.FairPlay}
	var combos []combo
	for _, f := range []string{"DASH", "HLS"} {
		for _, sys := range []drm.SystemID{drm.Widevine, drm.PlayReady, drm.FairPlay, drm.ClearKeyDASH} {
			if sys == drm.FairPlay && f == "DASH" {
				continue // FairPlay is HLS only
			}
			for _, multi := range []bool{false, true} {
				for _, periods := range []bool{false, true} {
					for _, enc := range []bool{false, true} {
						v := "2.0"
						if periods && multi {
							v = "2.1" // CPIX 2.4 through the same table
						}
						combos = append(combos, combo{f, sys, multi, periods, enc, v})
					}
				}
			}
		}
	}
	for i, c := range combos {
		t.Run(c.name(), func(t *testing.T) {
			contentID := fmt.Sprintf("conformance-%d-%s", i, c.name())
			req, rks := request(t, c, contentID, cert)
			body, err := req.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			cpixVersion := req.Version
			if !c.encrypted {
				// The request itself is valid CPIX. (A request naming a
				// recipient is not: the schema wants the DocumentKey the
				// key provider has yet to choose.)
				cpixtest.Validate(t, body, cpixVersion)
			}
			first := exchange(t, n, c, body, cpixVersion, priv)
			checkResponse(t, c, first, req, rks, us)
			// The same contentId and kids again: the same keys.
			second := exchange(t, n, c, body, cpixVersion, priv)
			for _, rk := range rks {
				if *first.Key(rk.kid).Value != *second.Key(rk.kid).Value {
					t.Fatalf("kid %s: second request got another key", rk.kid)
				}
			}
		})
	}
}

// exchange posts body and returns the parsed, decrypted response.
func exchange(t *testing.T, n *node, c combo, body []byte, cpixVersion string, priv interface{}) *cpix.Document {
	t.Helper()
	code, out, h := n.Speke(t, c.version, n.Owner, body, nil)
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, out)
	}
	if h.Get("X-Speke-Version") != c.version || h.Get("X-Speke-User-Agent") == "" || h.Get("Content-Type") != "application/xml" {
		t.Fatalf("headers %v", h)
	}
	cpixtest.Validate(t, out, cpixVersion)
	d, err := cpix.Parse(out)
	if err != nil {
		t.Fatalf("response does not parse: %v", err)
	}
	if c.encrypted {
		if bytes.Contains(out, []byte("PlainValue")) {
			t.Fatal("encrypted response carries a PlainValue")
		}
		if len(d.DeliveryData) != 1 || len(d.DeliveryData[0].WrappedDocumentKey) == 0 || len(d.DeliveryData[0].WrappedMACKey) == 0 {
			t.Fatalf("delivery data %+v", d.DeliveryData)
		}
		if err := d.DecryptKeys(priv.(rsaKey)); err != nil {
			t.Fatal(err)
		}
	} else if bytes.Contains(out, []byte("EncryptedValue")) {
		t.Fatal("plain response carries an EncryptedValue")
	}
	return d
}

func checkResponse(t *testing.T, c combo, d, req *cpix.Document, rks []reqKey, us urlSet) {
	t.Helper()
	if d.ContentID != req.ContentID || d.Version != req.Version {
		t.Fatalf("contentId/version %q %q", d.ContentID, d.Version)
	}
	if len(d.ContentKeys) != len(rks) || len(d.DRMSystems) != len(rks) {
		t.Fatalf("%d keys %d systems, want %d", len(d.ContentKeys), len(d.DRMSystems), len(rks))
	}
	seen := map[keys.Key]bool{}
	for i, rk := range rks {
		ck := d.ContentKeys[i]
		if ck.KID != rk.kid || ck.CommonEncryptionScheme != c.scheme() || ck.Value == nil {
			t.Fatalf("content key %d: %+v", i, ck)
		}
		if seen[*ck.Value] {
			t.Fatal("two kids share a key")
		}
		seen[*ck.Value] = true
		s := d.DRMSystems[i]
		if s.KID != rk.kid || s.SystemID != c.system {
			t.Fatalf("drm system %d: %s %s", i, s.KID, s.SystemID)
		}
		switch c.format {
		case "DASH":
			if !s.PSSH.Present || len(s.PSSH.Value) == 0 {
				t.Fatal("PSSH not filled")
			}
			checkPSSH(t, c.system, s.PSSH.Value, rk.kid, c.scheme(), us.playReady)
			cp := cpData(t, s.ContentProtectionData.Value)
			if cp["urn:mpeg:cenc:2013 pssh"] != base64.StdEncoding.EncodeToString(s.PSSH.Value) {
				t.Fatalf("ContentProtectionData pssh differs from PSSH: %v", cp)
			}
			switch c.system {
			case drm.Widevine:
				if cp["https://dashif.org/CPS Laurl"] != us.widevine(rk.kid) {
					t.Fatalf("widevine Laurl %v", cp)
				}
			case drm.ClearKeyDASH:
				if cp["https://dashif.org/CPS Laurl"] != us.clearKey {
					t.Fatalf("clear key Laurl %v", cp)
				}
			case drm.PlayReady:
				pro, err := base64.StdEncoding.DecodeString(cp["urn:microsoft:playready pro"])
				if err != nil {
					t.Fatal(err)
				}
				checkPRO(t, pro, rk.kid, us.playReady)
				if s.SmoothStreamingProtectionHeaderData == nil || *s.SmoothStreamingProtectionHeaderData != cp["urn:microsoft:playready pro"] {
					t.Fatal("Smooth protection header is not the PRO")
				}
			}
			if s.HLSMedia.Present || s.HLSMaster.Present {
				t.Fatal("HLS signalling nobody asked for")
			}
		case "HLS":
			if !s.HLSMedia.Present || !s.HLSMaster.Present {
				t.Fatal("HLS signalling missing")
			}
			checkHLS(t, c.system, string(s.HLSMedia.Value), "#EXT-X-KEY", rk.kid, c.scheme(), us)
			checkHLS(t, c.system, string(s.HLSMaster.Value), "#EXT-X-SESSION-KEY", rk.kid, c.scheme(), us)
			if s.PSSH.Present || s.ContentProtectionData.Present {
				t.Fatal("DASH signalling nobody asked for")
			}
		}
	}
	if !reflect.DeepEqual(d.UsageRules, req.UsageRules) || !reflect.DeepEqual(normPeriods(d.Periods), normPeriods(req.Periods)) {
		t.Fatalf("usage rules or periods changed:\n%+v\n%+v", d.UsageRules, req.UsageRules)
	}
}

func normPeriods(ps []cpix.ContentKeyPeriod) []cpix.ContentKeyPeriod {
	out := make([]cpix.ContentKeyPeriod, len(ps))
	for i, p := range ps {
		out[i] = p
		if p.Start != nil {
			s := p.Start.UTC()
			out[i].Start = &s
		}
		if p.End != nil {
			e := p.End.UTC()
			out[i].End = &e
		}
	}
	return out
}
