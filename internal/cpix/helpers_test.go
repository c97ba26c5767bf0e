package cpix_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/keys"
)

// recipient makes an RSA key and a self-signed certificate for it.
func recipient(t testing.TB, bits int) (*rsa.PrivateKey, []byte) {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "cpix recipient"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	return priv, der
}

func mustKID(t testing.TB, s string) keys.KID {
	t.Helper()
	k, err := keys.ParseKID(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func key(b byte) *keys.Key {
	var k keys.Key
	for i := range k {
		k[i] = b + byte(i)
	}
	return &k
}

func i64(n int64) *int64 { return &n }
func boolp(v bool) *bool { return &v }
