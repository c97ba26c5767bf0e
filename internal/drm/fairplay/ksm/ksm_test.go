package ksm_test

import (
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/cenc"
	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/drm/fairplay"
	"github.com/lockstream/lockstream/internal/drm/fairplay/ksm"
	"github.com/lockstream/lockstream/internal/drm/fairplay/ksm/ksmtest"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/license"
	"github.com/lockstream/lockstream/internal/policy"
)

// helperEnv makes the test binary act as the stand-in derivation helper.
const helperEnv = "LOCKSTREAM_KSM_TEST_STANDIN_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		if err := ksmtest.ServeHelper(os.Stdin, os.Stdout); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

type fixture struct {
	t     *testing.T
	creds *ksmtest.Credentials
	srv   *ksm.Server
	kid   keys.KID
	key   keys.Key
	cfg   *defs.ContentKeyPolicyFairPlayConfiguration
	now   time.Time
}

func newFixture(t *testing.T, bits int) *fixture {
	t.Helper()
	cr, err := ksmtest.NewCredentials(bits, "pfx-password")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, creds: cr, now: time.Now()}
	f.kid, _ = keys.ParseKID("6f1c2a4e-8b3d-4c5e-9f70-112233445566")
	copy(f.key[:], "0123456789abcdef")
	zero := int64(0)
	f.cfg = &defs.ContentKeyPolicyFairPlayConfiguration{Ask: defs.Base64(cr.ASk[:]), FairPlayPfx: cr.PFXBase64(), FairPlayPfxPassword: cr.Password,
		RentalAndLeaseKeyType: defs.ContentKeyPolicyFairPlayRentalAndLeaseKeyTypeUndefined, RentalDuration: &zero}
	f.srv = &ksm.Server{Deriver: ksm.DeriverFunc(ksmtest.StandIn)}
	if err := f.srv.Initialize(); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) request(body []byte, contentType string) license.Request {
	opt := &defs.ContentKeyPolicyOption{Name: "fp", Configuration: f.cfg}
	return license.Request{Kind: policy.KindFairPlay, Challenge: body, Header: http.Header{"Content-Type": {contentType}},
		Keys: []license.Key{{KID: f.kid, Key: f.key, Option: opt, PolicyName: "p", LocatorName: "l"}}, Now: f.now}
}

func (f *fixture) spc(o ksmtest.SPCOptions) ([]byte, *ksmtest.Session) {
	f.t.Helper()
	if o.AssetID == nil {
		o.AssetID = []byte(fairplay.SKDURI("media.example.com", f.kid))
	}
	b, s, err := f.creds.NewSPC(o)
	if err != nil {
		f.t.Fatal(err)
	}
	return b, s
}

func formBody(spc []byte) []byte {
	return []byte("spc=" + base64.StdEncoding.EncodeToString(spc) + "&assetId=x")
}

// ckcOf extracts the CKC from <ckc>…</ckc> or {"ckc":…}.
func ckcOf(t *testing.T, resp license.Response) []byte {
	t.Helper()
	s := string(resp.Body)
	if strings.HasPrefix(s, "{") {
		var v struct{ CKC string }
		if err := json.Unmarshal(resp.Body, &v); err != nil {
			t.Fatal(err)
		}
		s = v.CKC
	} else {
		var ok bool
		if s, ok = strings.CutPrefix(s, "<ckc>"); !ok || !strings.HasSuffix(s, "</ckc>") {
			t.Fatalf("answer %.60q is not <ckc>…</ckc>", s)
		}
		s = strings.TrimSuffix(s, "</ckc>")
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCKCRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		version uint32
		bits    int
	}{{1, 1024}, {2, 2048}} {
		f := newFixture(t, tc.bits)
		forms := []struct {
			name, ct string
			body     func([]byte) []byte
		}{
			{"form", "application/x-www-form-urlencoded", formBody},
			{"form percent-encoded", "application/x-www-form-urlencoded", func(b []byte) []byte {
				return []byte("spc=" + url.QueryEscape(base64.StdEncoding.EncodeToString(b)))
			}},
			{"json", "application/json", func(b []byte) []byte {
				j, _ := json.Marshal(map[string]string{"spc": base64.StdEncoding.EncodeToString(b)})
				return j
			}},
			{"raw", "application/octet-stream", func(b []byte) []byte { return b }},
			{"base64", "text/plain", func(b []byte) []byte { return []byte(base64.StdEncoding.EncodeToString(b)) }},
		}
		for _, form := range forms {
			for _, asset := range [][]byte{[]byte(fairplay.SKDURI("kd.example.com", f.kid)), []byte(f.kid.String()), f.kid[:]} {
				spc, sess := f.spc(ksmtest.SPCOptions{Version: tc.version, AssetID: asset, ReturnTags: []uint64{ksmtest.TagTransactionID, ksmtest.TagProtocolUsed}})
				resp, err := f.srv.License(context.Background(), f.request(form.body(spc), form.ct))
				if err != nil {
					t.Fatalf("v%d %s asset %q: %v", tc.version, form.name, asset, err)
				}
				ckc, err := sess.OpenCKC(ckcOf(t, resp))
				if err != nil {
					t.Fatalf("v%d %s: open CKC: %v", tc.version, form.name, err)
				}
				if ckc.ContentKey != f.key {
					t.Fatalf("v%d %s: CKC holds another content key", tc.version, form.name)
				}
				if ckc.ContentIV != cenc.DeriveConstantIV(f.kid) {
					t.Errorf("v%d %s: content IV is not the key's cbcs IV", tc.version, form.name)
				}
				for _, sent := range sess.Sent {
					if sent.Tag == ksmtest.TagTransactionID || sent.Tag == ksmtest.TagProtocolUsed {
						if got := ckc.Block(sent.Tag); string(got) != string(sent.Value) {
							t.Errorf("v%d %s: return TLLV %#x not echoed", tc.version, form.name, sent.Tag)
						}
					}
				}
				if ckc.KeyDuration != nil || ckc.Offline != nil {
					t.Errorf("a streaming key (Undefined, no playback state) got a duration")
				}
			}
		}
	}
}

func i64(v int64) *int64 { return &v }

func TestDurations(t *testing.T) {
	f := newFixture(t, 1024)
	type want struct {
		duration *[3]uint32
		offline  *[2]uint32
	}
	for _, tc := range []struct {
		name    string
		typ     defs.ContentKeyPolicyFairPlayRentalAndLeaseKeyType
		rental  int64
		offline *defs.ContentKeyPolicyFairPlayOfflineRentalConfiguration
		persist bool
		caps    uint64
		noState bool
		want    want
	}{
		{name: "undefined", typ: "Undefined", persist: true},
		{name: "undefined rental", typ: "Undefined", rental: 3600, persist: true, want: want{duration: &[3]uint32{ksm.NoLease, 3600, ksm.KeyTypeRental}}},
		{name: "persistent unlimited", typ: "PersistentUnlimited", persist: true, want: want{duration: &[3]uint32{ksm.NoLease, 0, ksm.KeyTypePersistence}}},
		{name: "persistent unlimited, not allowed by the streaming policy", typ: "PersistentUnlimited"},
		{name: "persistent limited", typ: "PersistentLimited", rental: 86400, persist: true,
			want: want{duration: &[3]uint32{ksm.NoLease, 86400, ksm.KeyTypePersistenceAndDuration}}},
		{name: "persistent limited, not allowed", typ: "PersistentLimited", rental: 86400,
			want: want{duration: &[3]uint32{ksm.NoLease, 86400, ksm.KeyTypeRental}}},
		{name: "dual expiry, capable client", typ: "DualExpiry", persist: true, caps: ksm.CapOfflineKey,
			offline: &defs.ContentKeyPolicyFairPlayOfflineRentalConfiguration{PlaybackDurationSeconds: i64(10800), StorageDurationSeconds: i64(2592000)},
			want:    want{offline: &[2]uint32{2592000, 10800}}},
		{name: "dual expiry, client without offline key support", typ: "DualExpiry", persist: true,
			offline: &defs.ContentKeyPolicyFairPlayOfflineRentalConfiguration{PlaybackDurationSeconds: i64(10800), StorageDurationSeconds: i64(2592000)},
			want:    want{duration: &[3]uint32{ksm.NoLease, 10800, ksm.KeyTypePersistenceAndDuration}}},
		{name: "no playback state: no duration", typ: "PersistentLimited", rental: 60, persist: true, noState: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.cfg.RentalAndLeaseKeyType, f.cfg.RentalDuration, f.cfg.OfflineRentalConfiguration = tc.typ, i64(tc.rental), tc.offline
			persist := tc.persist
			f.srv.Persistent = func(context.Context, license.Request, license.Key) (bool, error) { return persist, nil }
			spc, sess := f.spc(ksmtest.SPCOptions{PlaybackState: !tc.noState, Capabilities: tc.caps})
			resp, err := f.srv.License(context.Background(), f.request(formBody(spc), "application/x-www-form-urlencoded"))
			if err != nil {
				t.Fatal(err)
			}
			ckc, err := sess.OpenCKC(ckcOf(t, resp))
			if err != nil {
				t.Fatal(err)
			}
			if (ckc.KeyDuration == nil) != (tc.want.duration == nil) || (tc.want.duration != nil && *ckc.KeyDuration != *tc.want.duration) {
				t.Errorf("key duration %v, want %v", ckc.KeyDuration, tc.want.duration)
			}
			if (ckc.Offline == nil) != (tc.want.offline == nil) || (tc.want.offline != nil && *ckc.Offline != *tc.want.offline) {
				t.Errorf("offline key %v, want %v", ckc.Offline, tc.want.offline)
			}
			if ckc.Offline != nil && ckc.OfflineContentID != [16]byte(f.kid) {
				t.Errorf("offline content id is not the kid")
			}
			if ckc.ContentKey != f.key {
				t.Errorf("wrong content key")
			}
		})
	}
}

func TestRefusals(t *testing.T) {
	f := newFixture(t, 1024)
	other, err := ksmtest.NewCredentials(1024, "")
	if err != nil {
		t.Fatal(err)
	}
	otherKID, _ := keys.ParseKID("00000000-1111-2222-3333-444444444444")
	ourHash := sha1.Sum(f.creds.Cert.Raw)
	wrongASk := [16]byte{1, 2, 3}
	good, _ := f.spc(ksmtest.SPCOptions{})
	tamper := func(i int) []byte {
		b := append([]byte(nil), good...)
		b[i] ^= 0x40
		return b
	}
	otherSPC, _, _ := other.NewSPC(ksmtest.SPCOptions{AssetID: []byte(f.kid.String()), CertHash: ourHash[:]})
	v3 := append([]byte(nil), good...)
	v3[3] = 3
	for _, tc := range []struct {
		name   string
		body   []byte
		status int
		code   string
	}{
		{"empty", []byte{}, 400, ksm.CodeInvalidSPC},
		{"not base64", []byte("spc=!!!"), 400, ksm.CodeInvalidSPC},
		{"truncated", formBody(good[:100]), 400, ksm.CodeInvalidSPC},
		{"trailing byte", formBody(append(append([]byte(nil), good...), 0)), 400, ksm.CodeInvalidSPC},
		{"version 3", formBody(v3), 400, ksm.CodeInvalidSPC},
		{"version 7", formBody(append([]byte{0, 0, 0, 7}, good[4:]...)), 400, ksm.CodeInvalidSPC},
		{"tampered wrapped key", formBody(tamper(60)), 400, ksm.CodeInvalidSPC},
		{"tampered certificate hash", formBody(tamper(160)), 400, ksm.CodeInvalidSPC},
		// Offsets in the payload (from 176): [SK..R1] header 176, value
		// 192–304, padding to 320; integrity header 320, value 336; R2
		// header 368, value 384. SPC v1 has no MAC over the payload: a
		// change in the [SK..R1] IV or in padding only garbles what the
		// client will fail to decrypt; what the integrity bytes cover is
		// refused.
		{"tampered TLLV header", formBody(tamper(178)), 400, ksm.CodeInvalidSPC},
		{"tampered [SK..R1] last block", formBody(tamper(290)), 400, ksm.CodeInvalidSPC},
		{"tampered integrity TLLV", formBody(tamper(340)), 400, ksm.CodeInvalidSPC},
		{"tampered R2", formBody(tamper(390)), 400, ksm.CodeInvalidSPC},
		{"another certificate's SPC under our hash", formBody(otherSPC), 400, ksm.CodeInvalidSPC},
		{"wrong certificate hash", formBody(must(f.creds.NewSPC(ksmtest.SPCOptions{AssetID: []byte(f.kid.String()), CertHash: make([]byte, 20)}))), 400, ksm.CodeInvalidSPC},
		{"wrong ASk", formBody(must(f.creds.NewSPC(ksmtest.SPCOptions{AssetID: []byte(f.kid.String()), ASk: &wrongASk}))), 400, ksm.CodeInvalidSPC},
		{"asset id of another key", formBody(must(f.creds.NewSPC(ksmtest.SPCOptions{AssetID: []byte(fairplay.SKDURI("h", otherKID))}))), 403, license.CodeForbidden},
		{"unreadable asset id", formBody(must(f.creds.NewSPC(ksmtest.SPCOptions{AssetID: []byte("movie-42")}))), 400, ksm.CodeInvalidSPC},
		{"return request for an absent TLLV", formBody(must(f.creds.NewSPC(ksmtest.SPCOptions{AssetID: []byte(f.kid.String()), ReturnTags: []uint64{0x1122334455667788}}))), 400, ksm.CodeInvalidSPC},
		{"repeated TLLV", formBody(must(f.creds.NewSPC(ksmtest.SPCOptions{AssetID: []byte(f.kid.String()),
			Extra: []ksmtest.TLLV{{Tag: ksmtest.TagTransactionID, Value: make([]byte, 8)}}}))), 400, ksm.CodeInvalidSPC},
		{"oversized", formBody(append(append([]byte(nil), good[:8]...), make([]byte, ksm.MaxSPCSize)...)), 413, license.CodeTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.srv.License(context.Background(), f.request(tc.body, "application/x-www-form-urlencoded"))
			var le *license.Error
			if !errors.As(err, &le) || le.Status != tc.status || le.Code != tc.code || le.Public == "" {
				t.Fatalf("got %v, want %d %s", err, tc.status, tc.code)
			}
		})
	}
	t.Run("replay", func(t *testing.T) {
		spc, _ := f.spc(ksmtest.SPCOptions{})
		if _, err := f.srv.License(context.Background(), f.request(formBody(spc), "")); err != nil {
			t.Fatal(err)
		}
		_, err := f.srv.License(context.Background(), f.request(formBody(spc), ""))
		var le *license.Error
		if !errors.As(err, &le) || le.Status != http.StatusConflict || le.Code != ksm.CodeReplay {
			t.Fatalf("replayed SPC: %v", err)
		}
	})
	t.Run("unusable PFX password", func(t *testing.T) {
		g := newFixture(t, 1024)
		g.cfg.FairPlayPfxPassword = "wrong"
		spc, _ := g.spc(ksmtest.SPCOptions{})
		_, err := g.srv.License(context.Background(), g.request(formBody(spc), ""))
		var le *license.Error
		if !errors.As(err, &le) || le.Status != 500 || le.Code != ksm.CodeCredentials || !errors.Is(err, ksm.ErrCredentials) {
			t.Fatalf("wrong PFX password: %v", err)
		}
	})
}

func must(b []byte, _ *ksmtest.Session, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func TestCertificate(t *testing.T) {
	f := newFixture(t, 2048)
	req := f.request(nil, "")
	req.Certificate = true
	resp, err := f.srv.License(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != string(f.creds.Cert.Raw) || resp.Header.Get("Content-Type") != "application/pkix-cert" {
		t.Fatalf("certificate answer: %d bytes, %v", len(resp.Body), resp.Header)
	}
}

// TestHelperProcess runs the test binary as the external derivation
// helper over the line protocol, and a CKC through it.
func TestHelperProcess(t *testing.T) {
	h := &ksm.Helper{Path: os.Args[0], Env: []string{helperEnv + "=1"}}
	if err := h.Initialize(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	if h.Banner() != ksmtest.StandInBanner {
		t.Fatalf("banner %q", h.Banner())
	}
	f := newFixture(t, 1024)
	f.srv = &ksm.Server{Deriver: h}
	if err := f.srv.Initialize(); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		spc, sess := f.spc(ksmtest.SPCOptions{})
		resp, err := f.srv.License(context.Background(), f.request(formBody(spc), ""))
		if err != nil {
			t.Fatal(err)
		}
		ckc, err := sess.OpenCKC(ckcOf(t, resp))
		if err != nil || ckc.ContentKey != f.key {
			t.Fatalf("CKC through the helper: %v", err)
		}
	}
	r2 := []byte("twenty-one bytes r2..")
	ask := [16]byte{9}
	got, err := h.DASk(context.Background(), ask, r2)
	if err != nil || got != ksmtest.StandInDASk(ask, r2) {
		t.Fatalf("helper DASk: %v", err)
	}
}

func TestHelperFailures(t *testing.T) {
	// cat echoes "PING" instead of answering PONG.
	h := &ksm.Helper{Path: "cat"}
	if err := h.Initialize(); err == nil || !errors.Is(err, ksm.ErrDerive) {
		t.Fatalf("a helper that does not answer PONG started: %v", err)
	}
	if err := (&ksm.Helper{Path: "/nonexistent/fps-helper"}).Initialize(); err == nil {
		t.Fatal("a missing helper started")
	}
	// sleep never answers: the exchange times out and the process is killed.
	h = &ksm.Helper{Path: "sleep", Args: []string{"600"}, Timeout: 100 * time.Millisecond}
	if err := h.Initialize(); err == nil || !strings.Contains(err.Error(), "no answer") {
		t.Fatalf("a silent helper: %v", err)
	}
	_ = h.Close()
	// A helper that exits after its health check is restarted on the next
	// request; here it fails again, which the request reports.
	h = &ksm.Helper{Path: os.Args[0], Env: []string{helperEnv + "=1"}}
	if err := h.Initialize(); err != nil {
		t.Fatal(err)
	}
	_ = h.Close()
	if _, err := h.DASk(context.Background(), [16]byte{}, []byte("r2")); err != nil {
		t.Fatalf("helper not restarted after Close: %v", err)
	}
	_ = h.Close()
}
