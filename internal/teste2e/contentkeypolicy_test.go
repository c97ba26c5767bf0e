package teste2e

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"math/big"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/mediaservices/armmediaservices/v3"
	"github.com/google/uuid"
)

// Step 3 of the SDK scenario: content key policy with secrets.

// tokenKeys is key material shared by every run (RSA generation is slow).
var tokenKeys = sync.OnceValues(func() (*rsa.PrivateKey, []byte) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(42),
		Subject:      pkix.Name{CommonName: "lockstream e2e token signer"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		panic(err)
	}
	return k, der
})

const widevineTemplate = `{"allowed_track_types":"SD_HD","content_key_specs":[{"track_type":"SD","security_level":1,"required_output_protection":{"hdcp":"HDCP_NONE"}}],"policy_overrides":{"can_play":true,"can_persist":false,"can_renew":false}}`

func (s *scenario) contentKeyPolicy(t *testing.T) {
	h := s.h
	ctx := testCtx(t, 30*time.Second)
	rsaKey, certDER := tokenKeys()
	sym := make([]byte, 64)
	_, _ = rand.Read(sym)
	modulus := rsaKey.N.Bytes()
	exponent := big.NewInt(int64(rsaKey.E)).Bytes()

	claims := []*armmediaservices.ContentKeyPolicyTokenClaim{
		{ClaimType: to.Ptr("urn:microsoft:azure:mediaservices:contentkeyidentifier")},
		{ClaimType: to.Ptr("entitlement"), ClaimValue: to.Ptr("premium")},
	}
	in := armmediaservices.ContentKeyPolicy{Properties: &armmediaservices.ContentKeyPolicyProperties{
		Description: to.Ptr("e2e multi-option policy"),
		Options: []*armmediaservices.ContentKeyPolicyOption{
			{
				Name:          to.Ptr("clearkey-token"),
				Configuration: &armmediaservices.ContentKeyPolicyClearKeyConfiguration{},
				Restriction: &armmediaservices.ContentKeyPolicyTokenRestriction{
					Issuer:                    to.Ptr("https://issuer.e2e.test"),
					Audience:                  to.Ptr("urn:e2e:audience"),
					RestrictionTokenType:      to.Ptr(armmediaservices.ContentKeyPolicyRestrictionTokenTypeJwt),
					PrimaryVerificationKey:    &armmediaservices.ContentKeyPolicySymmetricTokenKey{KeyValue: sym},
					AlternateVerificationKeys: []armmediaservices.ContentKeyPolicyRestrictionTokenKeyClassification{&armmediaservices.ContentKeyPolicyRsaTokenKey{Modulus: modulus, Exponent: exponent}},
					RequiredClaims:            claims,
				},
			},
			{
				Name:          to.Ptr("widevine-open"),
				Configuration: &armmediaservices.ContentKeyPolicyWidevineConfiguration{WidevineTemplate: to.Ptr(widevineTemplate)},
				Restriction:   &armmediaservices.ContentKeyPolicyOpenRestriction{},
			},
			{
				Name: to.Ptr("playready-x509"),
				Configuration: &armmediaservices.ContentKeyPolicyPlayReadyConfiguration{Licenses: []*armmediaservices.ContentKeyPolicyPlayReadyLicense{{
					AllowTestDevices:   to.Ptr(false),
					LicenseType:        to.Ptr(armmediaservices.ContentKeyPolicyPlayReadyLicenseTypeNonPersistent),
					ContentKeyLocation: &armmediaservices.ContentKeyPolicyPlayReadyContentEncryptionKeyFromHeader{},
					ContentType:        to.Ptr(armmediaservices.ContentKeyPolicyPlayReadyContentTypeUnspecified),
				}}},
				Restriction: &armmediaservices.ContentKeyPolicyTokenRestriction{
					Issuer:                 to.Ptr("https://issuer.e2e.test"),
					Audience:               to.Ptr("urn:e2e:playready"),
					RestrictionTokenType:   to.Ptr(armmediaservices.ContentKeyPolicyRestrictionTokenTypeJwt),
					PrimaryVerificationKey: &armmediaservices.ContentKeyPolicyX509CertificateTokenKey{RawBody: certDER},
				},
			},
		},
	}}
	const name = "multi-drm"
	cctx, status := capture(ctx)
	created, err := h.ContentKeyPolicies.CreateOrUpdate(cctx, s.rg, s.acct, name, in, nil)
	if err != nil {
		t.Fatalf("create content key policy: %v", err)
	}
	if st := status(); st != http.StatusCreated {
		t.Errorf("first PUT content key policy status = %d; want 201", st)
	}
	policyID := deref(created.Properties.PolicyID)
	if _, err = uuid.Parse(policyID); err != nil {
		t.Errorf("policyId %q is not a GUID", policyID)
	}
	checkPolicyShape(t, "PUT response", created.Properties, claims, false)

	got, err := h.ContentKeyPolicies.Get(ctx, s.rg, s.acct, name, nil)
	if err != nil {
		t.Fatalf("get content key policy: %v", err)
	}
	if deref(got.Properties.PolicyID) != policyID {
		t.Errorf("Get policyId = %q; want %q", deref(got.Properties.PolicyID), policyID)
	}
	checkPolicyShape(t, "Get", got.Properties, claims, false)
	optionIDs := map[string]string{}
	for _, o := range got.Properties.Options {
		id := deref(o.PolicyOptionID)
		if _, err = uuid.Parse(id); err != nil {
			t.Errorf("option %s policyOptionId %q is not a GUID", deref(o.Name), id)
		}
		optionIDs[deref(o.Name)] = id
	}

	// The list shows the policy, blanked too.
	pager := h.ContentKeyPolicies.NewListPager(s.rg, s.acct, nil)
	found := false
	for pager.More() {
		page, perr := pager.NextPage(ctx)
		if perr != nil {
			t.Fatalf("list content key policies: %v", perr)
		}
		for _, p := range page.Value {
			if deref(p.Name) == name {
				found = true
				checkPolicyShape(t, "List", p.Properties, claims, false)
			}
		}
	}
	if !found {
		t.Errorf("content key policy %s not listed", name)
	}

	sec, err := h.ContentKeyPolicies.GetPolicyPropertiesWithSecrets(ctx, s.rg, s.acct, name, nil)
	if err != nil {
		t.Fatalf("GetPolicyPropertiesWithSecrets: %v", err)
	}
	if deref(sec.PolicyID) != policyID {
		t.Errorf("with secrets: policyId = %q; want %q", deref(sec.PolicyID), policyID)
	}
	checkPolicyShape(t, "GetPolicyPropertiesWithSecrets", &sec.ContentKeyPolicyProperties, claims, true)
	if len(sec.Options) == 3 {
		tr0, _ := sec.Options[0].Restriction.(*armmediaservices.ContentKeyPolicyTokenRestriction)
		if tr0 != nil {
			if k, ok := tr0.PrimaryVerificationKey.(*armmediaservices.ContentKeyPolicySymmetricTokenKey); !ok || !bytes.Equal(k.KeyValue, sym) {
				t.Errorf("with secrets: symmetric key differs from the one sent")
			}
			if len(tr0.AlternateVerificationKeys) == 1 {
				k, ok := tr0.AlternateVerificationKeys[0].(*armmediaservices.ContentKeyPolicyRsaTokenKey)
				if !ok || !bytes.Equal(k.Modulus, modulus) || !bytes.Equal(k.Exponent, exponent) {
					t.Errorf("with secrets: RSA modulus/exponent differ from the ones sent")
				}
			}
		}
		if tr2, _ := sec.Options[2].Restriction.(*armmediaservices.ContentKeyPolicyTokenRestriction); tr2 != nil {
			if k, ok := tr2.PrimaryVerificationKey.(*armmediaservices.ContentKeyPolicyX509CertificateTokenKey); !ok || !bytes.Equal(k.RawBody, certDER) {
				t.Errorf("with secrets: X.509 rawBody differs from the certificate sent")
			}
		}
	}

	// A PUT of the same options keeps the policy and option ids.
	cctx, status = capture(ctx)
	again, err := h.ContentKeyPolicies.CreateOrUpdate(cctx, s.rg, s.acct, name, in, nil)
	if err != nil {
		t.Fatalf("re-PUT content key policy: %v", err)
	}
	if st := status(); st != http.StatusOK {
		t.Errorf("second PUT content key policy status = %d; want 200", st)
	}
	if deref(again.Properties.PolicyID) != policyID {
		t.Errorf("re-PUT changed policyId")
	}
	for _, o := range again.Properties.Options {
		if deref(o.PolicyOptionID) != optionIDs[deref(o.Name)] {
			t.Errorf("re-PUT changed policyOptionId of %s", deref(o.Name))
		}
	}

	// PATCH without the secrets keeps them.
	pd, err := h.ContentKeyPolicies.Update(ctx, s.rg, s.acct, name, armmediaservices.ContentKeyPolicy{Properties: &armmediaservices.ContentKeyPolicyProperties{
		Description: to.Ptr("patched description"),
	}}, nil)
	if err != nil {
		t.Fatalf("PATCH content key policy: %v", err)
	}
	if deref(pd.Properties.Description) != "patched description" || len(pd.Properties.Options) != 3 {
		t.Errorf("PATCH content key policy: description %q, %d options", deref(pd.Properties.Description), len(pd.Properties.Options))
	}
	sec, err = h.ContentKeyPolicies.GetPolicyPropertiesWithSecrets(ctx, s.rg, s.acct, name, nil)
	if err != nil {
		t.Fatalf("GetPolicyPropertiesWithSecrets after PATCH: %v", err)
	}
	if len(sec.Options) != 3 {
		t.Fatalf("after PATCH: %d options", len(sec.Options))
	}
	if tr, _ := sec.Options[0].Restriction.(*armmediaservices.ContentKeyPolicyTokenRestriction); tr == nil {
		t.Errorf("after PATCH: option 0 restriction is %T", sec.Options[0].Restriction)
	} else if k, ok := tr.PrimaryVerificationKey.(*armmediaservices.ContentKeyPolicySymmetricTokenKey); !ok || !bytes.Equal(k.KeyValue, sym) {
		t.Errorf("PATCH without secrets lost the symmetric key")
	}
	s.policyName = name
}

// checkPolicyShape checks the three options of the scenario's policy, with
// secrets present (withSecrets) or blanked.
func checkPolicyShape(t *testing.T, what string, p *armmediaservices.ContentKeyPolicyProperties, claims []*armmediaservices.ContentKeyPolicyTokenClaim, withSecrets bool) {
	t.Helper()
	if p == nil {
		t.Errorf("%s: no properties", what)
		return
	}
	if deref(p.Description) != "e2e multi-option policy" {
		t.Errorf("%s: description = %q", what, deref(p.Description))
	}
	if len(p.Options) != 3 {
		t.Errorf("%s: %d options; want 3", what, len(p.Options))
		return
	}
	secret := func(field string, b []byte) {
		t.Helper()
		if withSecrets && len(b) == 0 {
			t.Errorf("%s: %s is empty; want the secret", what, field)
		}
		if !withSecrets && len(b) != 0 {
			t.Errorf("%s: %s leaks %d secret bytes; want it blanked", what, field, len(b))
		}
	}

	o := p.Options[0]
	if deref(o.Name) != "clearkey-token" {
		t.Errorf("%s: option 0 name = %q", what, deref(o.Name))
	}
	if _, ok := o.Configuration.(*armmediaservices.ContentKeyPolicyClearKeyConfiguration); !ok {
		t.Errorf("%s: option 0 configuration is %T; want ClearKey", what, o.Configuration)
	}
	tr, ok := o.Restriction.(*armmediaservices.ContentKeyPolicyTokenRestriction)
	if !ok {
		t.Errorf("%s: option 0 restriction is %T; want token", what, o.Restriction)
	} else {
		if deref(tr.Issuer) != "https://issuer.e2e.test" || deref(tr.Audience) != "urn:e2e:audience" ||
			deref(tr.RestrictionTokenType) != armmediaservices.ContentKeyPolicyRestrictionTokenTypeJwt {
			t.Errorf("%s: token restriction issuer/audience/type = %q %q %q", what, deref(tr.Issuer), deref(tr.Audience), deref(tr.RestrictionTokenType))
		}
		if k, ok := tr.PrimaryVerificationKey.(*armmediaservices.ContentKeyPolicySymmetricTokenKey); !ok {
			t.Errorf("%s: primary key is %T; want symmetric", what, tr.PrimaryVerificationKey)
		} else {
			secret("option 0 keyValue", k.KeyValue)
		}
		if len(tr.AlternateVerificationKeys) != 1 {
			t.Errorf("%s: %d alternate keys; want 1", what, len(tr.AlternateVerificationKeys))
		} else if k, ok := tr.AlternateVerificationKeys[0].(*armmediaservices.ContentKeyPolicyRsaTokenKey); !ok {
			t.Errorf("%s: alternate key is %T; want RSA", what, tr.AlternateVerificationKeys[0])
		} else {
			secret("option 0 RSA modulus", k.Modulus)
			secret("option 0 RSA exponent", k.Exponent)
		}
		var gotClaims [][2]string
		for _, c := range tr.RequiredClaims {
			gotClaims = append(gotClaims, [2]string{deref(c.ClaimType), deref(c.ClaimValue)})
		}
		var wantClaims [][2]string
		for _, c := range claims {
			wantClaims = append(wantClaims, [2]string{deref(c.ClaimType), deref(c.ClaimValue)})
		}
		if !reflect.DeepEqual(gotClaims, wantClaims) {
			t.Errorf("%s: required claims = %v; want %v", what, gotClaims, wantClaims)
		}
	}

	o = p.Options[1]
	if wv, ok := o.Configuration.(*armmediaservices.ContentKeyPolicyWidevineConfiguration); !ok {
		t.Errorf("%s: option 1 configuration is %T; want Widevine", what, o.Configuration)
	} else if !jsonEqual(deref(wv.WidevineTemplate), widevineTemplate) {
		t.Errorf("%s: widevineTemplate = %s; want %s", what, deref(wv.WidevineTemplate), widevineTemplate)
	}
	if _, ok := o.Restriction.(*armmediaservices.ContentKeyPolicyOpenRestriction); !ok {
		t.Errorf("%s: option 1 restriction is %T; want open", what, o.Restriction)
	}

	o = p.Options[2]
	if pr, ok := o.Configuration.(*armmediaservices.ContentKeyPolicyPlayReadyConfiguration); !ok {
		t.Errorf("%s: option 2 configuration is %T; want PlayReady", what, o.Configuration)
	} else if len(pr.Licenses) != 1 {
		t.Errorf("%s: %d PlayReady licenses; want 1", what, len(pr.Licenses))
	} else {
		l := pr.Licenses[0]
		if _, ok := l.ContentKeyLocation.(*armmediaservices.ContentKeyPolicyPlayReadyContentEncryptionKeyFromHeader); !ok ||
			deref(l.LicenseType) != armmediaservices.ContentKeyPolicyPlayReadyLicenseTypeNonPersistent ||
			deref(l.ContentType) != armmediaservices.ContentKeyPolicyPlayReadyContentTypeUnspecified || l.AllowTestDevices == nil || *l.AllowTestDevices {
			t.Errorf("%s: PlayReady license = %+v (location %T)", what, l, l.ContentKeyLocation)
		}
	}
	if tr, ok := o.Restriction.(*armmediaservices.ContentKeyPolicyTokenRestriction); !ok {
		t.Errorf("%s: option 2 restriction is %T; want token", what, o.Restriction)
	} else if k, ok := tr.PrimaryVerificationKey.(*armmediaservices.ContentKeyPolicyX509CertificateTokenKey); !ok {
		t.Errorf("%s: option 2 primary key is %T; want X509", what, tr.PrimaryVerificationKey)
	} else {
		secret("option 2 X.509 rawBody", k.RawBody)
	}
}

func jsonEqual(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}
