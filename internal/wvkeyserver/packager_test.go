package wvkeyserver_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/Eyevinn/mp4ff/mp4"
	"github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/cpix"
	"github.com/lockstream/lockstream/internal/drm"
	"github.com/lockstream/lockstream/internal/drm/widevine"
	"github.com/lockstream/lockstream/internal/keydelivery"
	"github.com/lockstream/lockstream/internal/keyexchange/kxtest"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/test/browser"
	"github.com/lockstream/lockstream/internal/test/mediatest"
)

// packagerBin returns the Shaka Packager binary the npm package
// shaka-packager ships (package.json pins it), copied executable into a
// temporary directory (npm does not always keep the mode bits).
func packagerBin(t *testing.T) string {
	t.Helper()
	arch := map[string]string{"amd64": "x64", "arm64": "arm64"}[runtime.GOARCH]
	_, file, _, _ := runtime.Caller(0)
	src := filepath.Join(filepath.Dir(file), "..", "..", "node_modules", "shaka-packager", "bin", "packager-"+runtime.GOOS+"-"+arch)
	b, err := os.ReadFile(src)
	if err != nil {
		if os.Getenv("CI") != "true" {
			t.Skipf("shaka-packager not installed (npm ci): %v", err)
		}
		t.Fatalf("shaka-packager not installed (npm ci), CI=true: %v", err)
	}
	dst := filepath.Join(t.TempDir(), "packager")
	if err := os.WriteFile(dst, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return dst
}

func runPackager(t *testing.T, bin, dir string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("packager %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// TestShakaPackager packages an ffmpeg clip with keys from Lockstream's
// Widevine key server — DASH cenc and HLS cbcs — and decrypts every
// output with mp4ff using the key Lockstream reports for its kid (over
// SPEKE), comparing each sample with a clear packaging of the same clip.
func TestShakaPackager(t *testing.T) {
	mediatest.Require(t)
	bin := packagerBin(t)
	n := kxtest.Start(t)
	signer := putSigner(t, n, "shaka")
	clip := mediatest.Muxed(t).Files[0].Path
	dir := t.TempDir()
	contentID := []byte("lockstream-shaka-e2e")
	keyServer := n.API + keyURL(n)

	runPackager(t, bin, dir,
		"in="+clip+",stream=video,output=clear_video.mp4",
		"in="+clip+",stream=audio,output=clear_audio.mp4")
	common := []string{"--enable_widevine_encryption", "--key_server_url", keyServer,
		"--content_id", hex.EncodeToString(contentID), "--signer", "shaka",
		"--aes_signing_key", hex.EncodeToString(signer.Key[:]), "--aes_signing_iv", hex.EncodeToString(signer.IV[:]),
		"--clear_lead", "0"}
	runPackager(t, bin, dir, append([]string{
		"in=" + clip + ",stream=video,output=dash_video.mp4",
		"in=" + clip + ",stream=audio,output=dash_audio.mp4",
		"--protection_scheme", "cenc", "--protection_systems", "Widevine,CommonSystem", "--mpd_output", "out.mpd"}, common...)...)
	runPackager(t, bin, dir, append([]string{
		"in=" + clip + ",stream=video,output=hls_video.mp4,playlist_name=video.m3u8",
		"in=" + clip + ",stream=audio,output=hls_audio.mp4,playlist_name=audio.m3u8",
		"--protection_scheme", "cbcs", "--hls_master_playlist_output", "master.m3u8"}, common...)...)

	mpd, _ := os.ReadFile(filepath.Join(dir, "out.mpd"))
	if !bytes.Contains(mpd, []byte(drm.Widevine.URN())) || !bytes.Contains(mpd, []byte("cenc:pssh")) {
		t.Fatalf("MPD without Widevine signalling:\n%s", mpd)
	}
	pl, _ := os.ReadFile(filepath.Join(dir, "video.m3u8"))
	if !bytes.Contains(pl, []byte(`KEYFORMAT="urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"`)) || !bytes.Contains(pl, []byte("METHOD=SAMPLE-AES")) {
		t.Fatalf("HLS playlist without Widevine EXT-X-KEY:\n%s", pl)
	}

	kids := map[string]keys.KID{}
	for _, c := range []struct{ enc, clear, scheme string }{
		{"dash_video.mp4", "clear_video.mp4", "cenc"},
		{"dash_audio.mp4", "clear_audio.mp4", "cenc"},
		{"hls_video.mp4", "clear_video.mp4", "cbcs"},
		{"hls_audio.mp4", "clear_audio.mp4", "cbcs"},
	} {
		t.Run(c.enc, func(t *testing.T) {
			enc := decode(t, filepath.Join(dir, c.enc))
			di, err := mp4.DecryptInit(enc.Init)
			if err != nil {
				t.Fatalf("DecryptInit: %v", err)
			}
			tenc := di.TrackInfos[0].Sinf.Schi.Tenc
			if got := di.TrackInfos[0].Sinf.Schm.SchemeType; got != c.scheme {
				t.Fatalf("scheme %s, want %s", got, c.scheme)
			}
			kid := keys.KID(tenc.DefaultKID)
			kids[c.enc] = kid
			checkInitPSSH(t, di, kid, contentID)
			key := reportedKey(t, n, "widevine:"+hex.EncodeToString(contentID), kid, c.scheme)
			var before, got []byte
			for _, seg := range enc.Segments {
				before = append(before, mdatBytes(seg)...)
			}
			for _, seg := range enc.Segments {
				if err := mp4.DecryptSegment(seg, di, key[:]); err != nil {
					t.Fatalf("DecryptSegment: %v", err)
				}
				got = append(got, mdatBytes(seg)...)
			}
			var want []byte
			for _, seg := range decode(t, filepath.Join(dir, c.clear)).Segments {
				want = append(want, mdatBytes(seg)...)
			}
			if bytes.Equal(before, want) {
				t.Fatal("the packaged samples are not encrypted")
			}
			if len(want) == 0 || !bytes.Equal(got, want) {
				t.Fatalf("decrypted samples (%d bytes) differ from the clear packaging (%d bytes)", len(got), len(want))
			}
		})
	}

	// Chromium plays the DASH output with Clear Key licenses from
	// Lockstream's key delivery, once locators reference the two kids
	// under a token-restricted policy; without a token it does not.
	t.Run("chromium", func(t *testing.T) {
		browser.Require(t)
		tok := restrictKeys(t, n, kids["dash_video.mp4"], kids["dash_audio.mp4"])
		lic := keydelivery.URLs{Base: n.API, Account: n.MSID}.ClearKey()
		mpdURL := browser.ServeDir(t, dir) + "/out.mpd"
		rep := browser.Play(t, browser.Options{URL: mpdURL, ClearKeyLicenseURL: lic, Token: tok, Seconds: 4})
		if !rep.Pass || rep.KeySystem != "org.w3.clearkey" || rep.TotalVideoFrames == 0 {
			t.Fatalf("did not play with a token: %s", rep)
		}
		rep = browser.Play(t, browser.Options{URL: mpdURL, ClearKeyLicenseURL: lic, Seconds: 4, Timeout: 20 * time.Second, MaxRetries: -1})
		if rep.Pass {
			t.Fatal("played without a token")
		}
		denied := false
		for _, r := range rep.LicenseRequests {
			denied = denied || r.Status == 401
		}
		if !denied {
			t.Fatalf("no 401 license answer without a token: %s", rep.Details())
		}
	})
}

// restrictKeys puts the kids behind a Clear Key content key policy with a
// JWT restriction (two locators on the demo asset, one per kid, through
// the management API) and returns a token that satisfies it.
func restrictKeys(t *testing.T, n *kxtest.Node, kids ...keys.KID) string {
	t.Helper()
	hmacKey := make([]byte, 32)
	_, _ = rand.Read(hmacKey)
	const iss, aud = "urn:lockstream:test:packager", "urn:lockstream:test:viewers"
	put := func(path, body string) {
		t.Helper()
		code, out := n.Do(t, http.MethodPut, n.Acct+path+"?api-version=2022-08-01", n.Owner, body, http.Header{"Content-Type": {"application/json"}})
		if code != 200 && code != 201 {
			t.Fatalf("PUT %s: %d %s", path, code, out)
		}
	}
	put("/contentKeyPolicies/packaged-premium", `{"properties":{"options":[{"name":"ck","configuration":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration"},`+
		`"restriction":{"@odata.type":"#Microsoft.Media.ContentKeyPolicyTokenRestriction","issuer":"`+iss+`","audience":"`+aud+`","restrictionTokenType":"Jwt",`+
		`"primaryVerificationKey":{"@odata.type":"#Microsoft.Media.ContentKeyPolicySymmetricTokenKey","keyValue":"`+base64.StdEncoding.EncodeToString(hmacKey)+`"}}}]}}`)
	put("/streamingPolicies/packaged-cenc", `{"properties":{"commonEncryptionCenc":{"enabledProtocols":{"dash":true,"hls":false,"download":false,"smoothStreaming":false},"clearKeyEncryptionConfiguration":{}}}}`)
	for i, kid := range kids {
		put(fmt.Sprintf("/streamingLocators/packaged-%d", i), `{"properties":{"assetName":"demo","streamingPolicyName":"packaged-cenc",`+
			`"defaultContentKeyPolicyName":"packaged-premium","contentKeys":[{"id":"`+kid.String()+`"}]}}`)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: hmacKey}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	claims, _ := json.Marshal(map[string]any{"iss": iss, "aud": aud, "sub": "viewer",
		"nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(30 * time.Minute).Unix()})
	jws, err := signer.Sign(claims)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func decode(t *testing.T, path string) *mp4.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := mp4.DecodeFile(f)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	if m.Init == nil || len(m.Segments) == 0 {
		t.Fatalf("%s is not fragmented", path)
	}
	return m
}

func mdatBytes(seg *mp4.MediaSegment) []byte {
	var out []byte
	for _, f := range seg.Fragments {
		out = append(out, f.Mdat.Data...)
	}
	return out
}

// checkInitPSSH: the init segment carries Lockstream's Widevine PSSH for
// the track's kid and the content id.
func checkInitPSSH(t *testing.T, di mp4.DecryptInfo, kid keys.KID, contentID []byte) {
	t.Helper()
	for _, p := range di.Psshs {
		var b bytes.Buffer
		if err := p.Encode(&b); err != nil {
			t.Fatal(err)
		}
		ps, err := drm.ParsePSSH(b.Bytes())
		if err != nil || ps.SystemID != drm.Widevine {
			continue
		}
		d, err := widevine.UnmarshalPsshData(ps.Data)
		if err != nil {
			t.Fatalf("widevine pssh data: %v", err)
		}
		for _, k := range d.KeyIDs {
			if k == kid && bytes.Equal(d.ContentID, contentID) {
				return
			}
		}
	}
	t.Fatalf("no Widevine PSSH for kid %s in the init segment", kid)
}

// reportedKey asks Lockstream for kid's value the way a DRM vendor would:
// a SPEKE request for the content and kid.
func reportedKey(t *testing.T, n *kxtest.Node, contentID string, kid keys.KID, scheme string) keys.Key {
	t.Helper()
	d := &cpix.Document{ContentID: contentID, Version: cpix.Version23,
		ContentKeys: []cpix.ContentKey{{KID: kid, CommonEncryptionScheme: scheme}}}
	body, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	code, out, _ := n.Speke(t, "2.0", n.Owner, body, nil)
	if code != 200 {
		t.Fatalf("speke: %d %s", code, out)
	}
	got, err := cpix.Parse(out)
	if err != nil || got.ContentKeys[0].Value == nil {
		t.Fatalf("speke response: %v", err)
	}
	return *got.ContentKeys[0].Value
}
