package teste2e

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/mediaservices/armmediaservices/v3"
	"github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/keydelivery"
	"github.com/lockstream/lockstream/internal/sts"
	"github.com/lockstream/lockstream/internal/test/mediatest"
)

// Names of the playback scenario's resources.
const (
	playRG           = "play-rg"
	playAccount      = "playacct"
	premiumPolicy    = "premium-only" // content key policy: token with groups=premium
	cencClearKey     = "cenc-clearkey"
	premiumGroup     = "premium"
	entitledUser     = "alice" // in the premium group
	unentitledUser   = "bob"   // in no group
	playUserSecret   = "playback-secret-0123456789"
	playAssetName    = "ladder"
	hlsLocatorName   = "premium-hls"
	dashLocatorName  = "premium-dash"
	groupsClaim      = "groups"
	playbackAudience = "urn:lockstream:playback" // conf.Default's sts.audience
)

// playback is a node publishing one asset under a premium-only content key
// policy, as HLS AES-128 (Predefined_ClearKey) and as DASH cenc with W3C
// Clear Key, with playback tokens from its own STS.
type playback struct {
	h *harness
	// hmacKey signs the STS's tokens (HS256) and is the policy's
	// verification key, so tests can also mint tokens of their own (an
	// operator's own issuer sharing the key) for cases the STS never
	// issues: expired, another audience.
	hmacKey []byte
	issuer  string
	msid    string // the account's mediaServiceId
	// hls and dash are the streaming URLs (origin listener).
	hls, dash string
	// aesKeyURL and clearKeyURL are Lockstream's key-delivery URLs of the
	// locators' keys.
	aesKeyURL, clearKeyURL string
	// clearKeyRequest is a W3C Clear Key license request for the DASH
	// locator's key.
	clearKeyRequest []byte
}

func startPlayback(t *testing.T) *playback {
	t.Helper()
	mediatest.Require(t)
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	h := startServer(t, func(c *conf.Conf) {
		c.STS.Enabled = true
		c.STS.Audience = playbackAudience
		// HS256: the node serves plain https with a development
		// certificate its own policy evaluator would not trust for OIDC
		// discovery, and a shared symmetric key is the AMS samples'
		// setup anyway.
		c.STS.KeyType = sts.AlgHS256
		c.STS.HMACKey = conf.Secret(base64.StdEncoding.EncodeToString(key))
	})
	svc := h.Core.STS()
	if svc == nil {
		t.Fatal("the node runs no STS")
	}
	p := &playback{h: h, hmacKey: key, issuer: svc.Issuer()}
	ctx := testCtx(t, 2*time.Minute)
	s := &scenario{h: h, rg: playRG, acct: playAccount}
	acct := s.createAccount(t, ctx, playAccount)
	p.msid = deref(acct.Properties.MediaServiceID)
	urls := keydelivery.URLs{Base: h.APIURL, Account: p.msid}
	p.clearKeyURL = urls.ClearKey()

	start, err := h.StreamingEndpoints.BeginStart(ctx, playRG, playAccount, "default", nil)
	if err != nil {
		t.Fatalf("start streaming endpoint: %v", err)
	}
	if _, err := start.PollUntilDone(ctx, pollOpts); err != nil {
		t.Fatalf("start streaming endpoint: %v", err)
	}
	p.upload(t, ctx, s, mediatest.Ladder(t))
	p.policies(t, ctx)

	for _, u := range []struct{ name, groups string }{{entitledUser, premiumGroup}, {unentitledUser, ""}} {
		opts := sts.UserOptions{Name: u.name, Secret: playUserSecret}
		if u.groups != "" {
			opts.Groups = []string{u.groups}
		}
		if _, _, err := svc.CreateUser(ctx, opts); err != nil {
			t.Fatalf("create user %s: %v", u.name, err)
		}
	}

	hlsPath := p.path(t, ctx, hlsLocatorName, armmediaservices.StreamingPolicyStreamingProtocolHls, "format=m3u8-aapl,")
	dashPath := p.path(t, ctx, dashLocatorName, armmediaservices.StreamingPolicyStreamingProtocolDash, "format=mpd-time-csf")
	p.hls, p.dash = "https://"+h.OriginAddr+hlsPath, "https://"+h.OriginAddr+dashPath
	p.aesKeyURL, p.clearKeyRequest = p.keysOf(t, ctx)
	return p
}

// upload creates the asset and puts the set's files into its container
// through the SAS URL, as AMS clients upload.
func (p *playback) upload(t *testing.T, ctx context.Context, s *scenario, set *mediatest.Set) {
	t.Helper()
	if _, err := p.h.Assets.CreateOrUpdate(ctx, playRG, playAccount, playAssetName, armmediaservices.Asset{Properties: &armmediaservices.AssetProperties{}}, nil); err != nil {
		t.Fatalf("create asset: %v", err)
	}
	cc := s.blobClient(t, s.containerSAS(t, ctx, playAssetName, armmediaservices.AssetContainerPermissionReadWrite))
	for _, name := range set.Names() {
		f, err := os.Open(set.Path(name))
		if err != nil {
			t.Fatal(err)
		}
		_, err = cc.NewBlockBlobClient(name).UploadFile(ctx, f, nil)
		f.Close()
		if err != nil {
			t.Fatalf("upload %s: %v", name, err)
		}
	}
}

// policies creates the content key policy (one Clear Key option — it
// serves both the HLS AES-128 key and Clear Key licenses — behind a JWT
// restriction requiring groups=premium), the DASH cenc streaming policy
// with Clear Key, and the two locators.
func (p *playback) policies(t *testing.T, ctx context.Context) {
	t.Helper()
	h := p.h
	_, err := h.ContentKeyPolicies.CreateOrUpdate(ctx, playRG, playAccount, premiumPolicy, armmediaservices.ContentKeyPolicy{
		Properties: &armmediaservices.ContentKeyPolicyProperties{
			Description: to.Ptr("premium viewers only"),
			Options: []*armmediaservices.ContentKeyPolicyOption{{
				Name:          to.Ptr("clearkey-premium"),
				Configuration: &armmediaservices.ContentKeyPolicyClearKeyConfiguration{},
				Restriction: &armmediaservices.ContentKeyPolicyTokenRestriction{
					Issuer:                 to.Ptr(p.issuer),
					Audience:               to.Ptr(playbackAudience),
					RestrictionTokenType:   to.Ptr(armmediaservices.ContentKeyPolicyRestrictionTokenTypeJwt),
					PrimaryVerificationKey: &armmediaservices.ContentKeyPolicySymmetricTokenKey{KeyValue: p.hmacKey},
					RequiredClaims:         []*armmediaservices.ContentKeyPolicyTokenClaim{{ClaimType: to.Ptr(groupsClaim), ClaimValue: to.Ptr(premiumGroup)}},
				},
			}},
		},
	}, nil)
	if err != nil {
		t.Fatalf("create content key policy: %v", err)
	}
	off := to.Ptr(false)
	_, err = h.StreamingPolicies.Create(ctx, playRG, playAccount, cencClearKey, armmediaservices.StreamingPolicy{
		Properties: &armmediaservices.StreamingPolicyProperties{
			CommonEncryptionCenc: &armmediaservices.CommonEncryptionCenc{
				EnabledProtocols:                &armmediaservices.EnabledProtocols{Dash: to.Ptr(true), Hls: off, Download: off, SmoothStreaming: off},
				ClearKeyEncryptionConfiguration: &armmediaservices.ClearKeyEncryptionConfiguration{},
			},
		},
	}, nil)
	if err != nil {
		t.Fatalf("create streaming policy: %v", err)
	}
	for name, sp := range map[string]string{hlsLocatorName: "Predefined_ClearKey", dashLocatorName: cencClearKey} {
		_, err := h.StreamingLocators.Create(ctx, playRG, playAccount, name, armmediaservices.StreamingLocator{
			Properties: &armmediaservices.StreamingLocatorProperties{
				AssetName: to.Ptr(playAssetName), StreamingPolicyName: to.Ptr(sp), DefaultContentKeyPolicyName: to.Ptr(premiumPolicy),
			},
		}, nil)
		if err != nil {
			t.Fatalf("create locator %s: %v", name, err)
		}
	}
}

// path returns the locator's listPaths entry of protocol containing substr.
func (p *playback) path(t *testing.T, ctx context.Context, locator string, protocol armmediaservices.StreamingPolicyStreamingProtocol, substr string) string {
	t.Helper()
	res, err := p.h.StreamingLocators.ListPaths(ctx, playRG, playAccount, locator, nil)
	if err != nil {
		t.Fatalf("listPaths %s: %v", locator, err)
	}
	for _, sp := range res.StreamingPaths {
		if deref(sp.StreamingProtocol) != protocol {
			continue
		}
		for _, u := range sp.Paths {
			if strings.Contains(deref(u), substr) {
				return deref(u)
			}
		}
	}
	t.Fatalf("listPaths %s has no %s path with %q", locator, protocol, substr)
	return ""
}

// keysOf reads the manifests as a player would and checks that they send
// players to Lockstream's own key delivery: the HLS key URL and the DASH
// dashif:Laurl. It returns the AES key URL and a Clear Key license
// request for the DASH key.
func (p *playback) keysOf(t *testing.T, ctx context.Context) (aesKeyURL string, clearKeyRequest []byte) {
	t.Helper()
	master := p.get(t, ctx, p.hls)
	variant := ""
	for _, l := range strings.Split(master, "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			variant = l
			break
		}
	}
	vu, err := url.Parse(p.hls)
	if err != nil || variant == "" {
		t.Fatalf("master playlist without variants: %v\n%s", err, master)
	}
	vr, _ := url.Parse(variant)
	media := p.get(t, ctx, vu.ResolveReference(vr).String())
	prefix := strings.TrimSuffix(p.clearKeyURL, keydelivery.PathClearKey) + "?kid="
	for _, l := range strings.Split(media, "\n") {
		if _, attrs, ok := strings.Cut(l, "#EXT-X-KEY:METHOD=AES-128,URI=\""); ok {
			aesKeyURL, _, _ = strings.Cut(attrs, "\"")
			break
		}
	}
	if !strings.HasPrefix(aesKeyURL, prefix) {
		t.Fatalf("HLS key URL %q is not Lockstream's key delivery %q…", aesKeyURL, prefix)
	}

	mpd := p.get(t, ctx, p.dash)
	if !strings.Contains(mpd, ">"+p.clearKeyURL+"</dashif:Laurl>") {
		t.Fatalf("MPD does not name %s as its Clear Key license server:\n%s", p.clearKeyURL, mpd)
	}
	_, kid, _ := strings.Cut(mpd, `cenc:default_KID="`)
	kid, _, _ = strings.Cut(kid, `"`)
	raw, err := hex.DecodeString(strings.ReplaceAll(kid, "-", ""))
	if err != nil {
		t.Fatalf("MPD default_KID %q: %v", kid, err)
	}
	req, _ := json.Marshal(map[string]any{"kids": []string{base64.RawURLEncoding.EncodeToString(raw)}, "type": "temporary"})
	return aesKeyURL, req
}

func (p *playback) get(t *testing.T, ctx context.Context, u string) string {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := p.h.HTTP.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v %s", u, resp.StatusCode, err, b)
	}
	return string(b)
}

// stsToken asks the node's STS for a token, with the user's own
// credentials (the password grant), as a viewer's app would.
func (p *playback) stsToken(t *testing.T, ctx context.Context, user string, maxUses int) string {
	t.Helper()
	form := url.Values{"grant_type": {sts.GrantPassword}, "username": {user}, "password": {playUserSecret}}
	if maxUses > 0 {
		form.Set("maxuses", strconv.Itoa(maxUses))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.issuer+"/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := p.h.HTTP.Do(req)
	if err != nil {
		t.Fatalf("STS token for %s: %v", user, err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.AccessToken == "" {
		t.Fatalf("STS token for %s: status %d, %v", user, resp.StatusCode, err)
	}
	return out.AccessToken
}

// mint signs a token with the policy's key, for claims the STS never
// issues (an expired token, another audience). mutate edits a valid
// premium token's claims.
func (p *playback) mint(t *testing.T, mutate func(claims map[string]any)) string {
	t.Helper()
	now := time.Now()
	claims := map[string]any{
		"iss": p.issuer, "aud": playbackAudience, "sub": "minted",
		"nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(30 * time.Minute).Unix(),
		groupsClaim: []string{premiumGroup},
	}
	if mutate != nil {
		mutate(claims)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: p.hmacKey}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
