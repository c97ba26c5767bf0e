package speke_test

import (
	"crypto/rsa"
	"encoding/base64"
	"os"
	"testing"

	"github.com/lockstream/lockstream/internal/keyexchange/kxtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	kxtest.Close()
	os.Exit(code)
}

type node = kxtest.Node

func startNode(t testing.TB) *node { return kxtest.Start(t) }

func recipient(t testing.TB, bits int) (*rsa.PrivateKey, []byte) { return kxtest.Recipient(t, bits) }

type rsaKey = *rsa.PrivateKey

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
