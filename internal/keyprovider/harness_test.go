package keyprovider_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/cpix"
	"github.com/lockstream/lockstream/internal/drm"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/license/licensetest"
	"github.com/lockstream/lockstream/internal/test/mediatest"
)

// vendor is node B, a second Lockstream node with its own store playing
// the DRM vendor: its SPEKE v2 endpoint is reached through an
// httptest TLS front (the operator's TLS terminator; node A trusts its
// certificate through --outbound-ca-file and admits it through
// --outbound-allow-hosts, as licensetest configures every node). The
// front can also misbehave on purpose, by path prefix:
//
//	/ok/…        passes the exchange through
//	/malformed/… cuts the CPIX answer in half
//	/wrongkid/…  answers the key under another kid
//	/hang/…      never answers
//	/redirect/…  redirects to /ok/…
//	/mtls/…      passes through only with a verified client certificate,
//	             adding node B's API key itself (a vendor gateway that
//	             authenticates by certificate)
type vendor struct {
	B      *licensetest.Node
	APIKey string
	Front  *httptest.Server
	// ClientCA signs the client certificates /mtls/ admits.
	ClientCA *x509.Certificate
	caKey    *rsa.PrivateKey

	mu sync.Mutex
	// requests and answers are the CPIX documents seen, in order.
	requests, answers [][]byte
}

func startVendor(t *testing.T) *vendor {
	t.Helper()
	v := &vendor{B: licensetest.Start(t)}
	var out struct{ Key string }
	req, _ := http.NewRequest(http.MethodPost, v.B.Node.API+"/keyexchange/"+v.B.MSID+"/apiKeys", strings.NewReader(`{"name":"node-a"}`))
	req.Header.Set("Authorization", "Bearer "+v.B.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(b, &out) != nil || out.Key == "" {
		t.Fatalf("create API key on B: %d %s", resp.StatusCode, b)
	}
	v.APIKey = out.Key
	v.caKey, v.ClientCA = newCA(t)
	target, _ := url.Parse(v.B.Node.API)
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = v.tamper
	front := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mode, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if mode == "redirect" {
			// The credentials must not follow a redirect, even to the
			// same vendor.
			http.Redirect(w, r, "/ok/"+rest, http.StatusTemporaryRedirect)
			return
		}
		if mode == "hang" {
			// A vendor that reads the request and never answers (the
			// body read first: only then does the server notice the
			// client hanging up, which ends the context).
			_, _ = io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
			return
		}
		if mode == "mtls" {
			if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 {
				http.Error(w, "client certificate required", http.StatusUnauthorized)
				return
			}
			r.Header.Set("X-Api-Key", v.APIKey)
		}
		body, _ := io.ReadAll(r.Body)
		v.mu.Lock()
		v.requests = append(v.requests, body)
		v.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.URL.Path = "/" + rest
		r.Header.Set("X-Front-Mode", mode)
		rp.ServeHTTP(w, r)
	}))
	pool := x509.NewCertPool()
	pool.AddCert(v.ClientCA)
	front.TLS = &tls.Config{ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: pool}
	front.StartTLS()
	t.Cleanup(front.Close)
	v.Front = front
	return v
}

// tamper applies the front's mode to B's answer.
func (v *vendor) tamper(resp *http.Response) error {
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode == http.StatusOK {
		switch resp.Request.Header.Get("X-Front-Mode") {
		case "malformed":
			body = body[:len(body)/2]
		case "wrongkid":
			d, err := cpix.Parse(body)
			if err != nil {
				return err
			}
			other := keys.KID{0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
			for i := range d.ContentKeys {
				d.ContentKeys[i].KID = other
			}
			for i := range d.DRMSystems {
				d.DRMSystems[i].KID = other
			}
			if body, err = d.Marshal(); err != nil {
				return err
			}
		}
	}
	v.mu.Lock()
	v.answers = append(v.answers, body)
	v.mu.Unlock()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Del("Content-Length")
	return nil
}

// lastExchange returns the last request and answer the front saw.
func (v *vendor) lastExchange(t *testing.T) (req, answer []byte) {
	t.Helper()
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.requests) == 0 || len(v.answers) == 0 {
		t.Fatal("the vendor saw no exchange")
	}
	return v.requests[len(v.requests)-1], v.answers[len(v.answers)-1]
}

// URL is the SPEKE URL of B's account behind the front, in mode.
func (v *vendor) URL(mode string) string {
	return v.Front.URL + "/" + mode + "/speke/v2/" + v.B.MSID
}

// speke asks B directly (not through node A) for kid of contentID with
// Widevine and PlayReady signalling: what the vendor holds for it.
func (v *vendor) speke(t *testing.T, contentID string, kid keys.KID, scheme string) *cpix.Document {
	t.Helper()
	d := &cpix.Document{ContentID: contentID, Version: cpix.Version23,
		ContentKeys: []cpix.ContentKey{{KID: kid, CommonEncryptionScheme: scheme}}}
	for _, id := range []drm.SystemID{drm.Widevine, drm.PlayReady} {
		d.DRMSystems = append(d.DRMSystems, cpix.DRMSystem{KID: kid, SystemID: id, PSSH: cpix.Field{Present: true}, ContentProtectionData: cpix.Field{Present: true},
			HLSMedia: cpix.Field{Present: true}})
	}
	body, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, v.B.Node.API+"/speke/v2/"+v.B.MSID, bytes.NewReader(body))
	req.Header.Set("X-Api-Key", v.APIKey)
	req.Header.Set("X-Speke-Version", "2.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out, err := cpix.Parse(b)
	if resp.StatusCode != 200 || err != nil {
		t.Fatalf("speke on B: %d %s (%v)", resp.StatusCode, b, err)
	}
	return out
}

// uploadLadder creates asset name on node a holding the ladder (through
// the container SAS URL, as AMS clients upload).
func uploadLadder(t *testing.T, a *licensetest.Node, name string, props map[string]any) {
	t.Helper()
	set := mediatest.Ladder(t)
	if props == nil {
		props = map[string]any{}
	}
	a.Mgmt(http.MethodPut, "/assets/"+name, map[string]any{"properties": props}, nil, 0)
	var sas struct {
		AssetContainerSasUrls []string `json:"assetContainerSasUrls"`
	}
	a.Mgmt(http.MethodPost, "/assets/"+name+"/listContainerSas", map[string]any{"permissions": "ReadWrite",
		"expiryTime": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}, &sas, 200)
	u, err := url.Parse(sas.AssetContainerSasUrls[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range set.Names() {
		b, err := os.ReadFile(set.Path(f))
		if err != nil {
			t.Fatal(err)
		}
		bu := *u
		bu.Path += "/" + f
		req, _ := http.NewRequest(http.MethodPut, bu.String(), bytes.NewReader(b))
		req.Header.Set("x-ms-blob-type", "BlockBlob")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("upload %s: %d", f, resp.StatusCode)
		}
	}
}

// newCA makes a CA certificate and key.
func newCA(t *testing.T) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "vendor client CA"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return k, c
}

// clientCert issues a client certificate under the vendor's client CA,
// as PEM certificate and key.
func (v *vendor) clientCert(t *testing.T) (certPEM, keyPEM string) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "node-a"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, v.ClientCA, &k.PublicKey, v.caKey)
	if err != nil {
		t.Fatal(err)
	}
	return pemOf("CERTIFICATE", der), pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k))
}

// recipient makes the RSA key and self-signed certificate node A asks
// encrypted keys for, as PEM.
func recipient(t *testing.T) (certPEM, keyPEM string) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "node-a recipient"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	p8, _ := x509.MarshalPKCS8PrivateKey(k)
	return pemOf("CERTIFICATE", der), pemOf("PRIVATE KEY", p8)
}

func pemOf(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}
