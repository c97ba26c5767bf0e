package keydelivery_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/lockstream/lockstream/internal/conf"
)

// BenchmarkAESKey runs an AES-128 key request through the API listener's
// whole handler chain (request id, access log, metrics, rate limits,
// key delivery) in process, with an HS256 and an RS256 token and no rate
// limits, as bench/keys.sh does over the network: the server's own cost
// of a key request without net/http's connection handling. Each request
// checks the signature (or its memo), the claims and the expiry.
//
//	go test -run '^$' -bench AESKey -benchmem ./internal/keydelivery/
func BenchmarkAESKey(b *testing.B) {
	for _, level := range []slog.Level{slog.LevelWarn, slog.LevelInfo} {
		n := startNodeAt(b, level, func(c *conf.Conf) { c.RateLimit.KeysPerIP, c.RateLimit.KeysPerToken = 0, 0 })
		rk, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			b.Fatal(err)
		}
		b64 := base64.StdEncoding.EncodeToString
		for _, alg := range []struct {
			name string
			key  map[string]any
			sign jose.SigningKey
		}{
			{"HS256", map[string]any{"@odata.type": "#Microsoft.Media.ContentKeyPolicySymmetricTokenKey", "keyValue": b64(n.hmac)},
				jose.SigningKey{Algorithm: jose.HS256, Key: n.hmac}},
			{"RS256", map[string]any{"@odata.type": "#Microsoft.Media.ContentKeyPolicyRsaTokenKey",
				"modulus": b64(rk.N.Bytes()), "exponent": b64(big.NewInt(int64(rk.E)).Bytes())},
				jose.SigningKey{Algorithm: jose.RS256, Key: rk}},
		} {
			name := "bench-" + alg.name
			n.policy(name, option("jwt", clearKeyConfig(), map[string]any{
				"@odata.type": "#Microsoft.Media.ContentKeyPolicyTokenRestriction", "issuer": issuer, "audience": audience,
				"primaryVerificationKey": alg.key, "restrictionTokenType": "Jwt"}))
			kid, _ := n.locator(name, "Predefined_ClearKey", name)
			tok := signJWT(b, alg.sign)
			if resp, _ := n.kd(http.MethodGet, n.msid, "?kid="+kid.String(), nil); resp.StatusCode != http.StatusUnauthorized {
				b.Fatalf("key without a token: status %d, want 401", resp.StatusCode)
			}
			req := httptest.NewRequest(http.MethodGet, "/keydelivery/"+n.msid+"/?kid="+kid.String(), nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			b.Run(level.String()+"/"+alg.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					rec := httptest.NewRecorder()
					n.handler.ServeHTTP(rec, req.Clone(context.Background()))
					if rec.Code != http.StatusOK || rec.Body.Len() != 16 {
						b.Fatalf("status %d, %d bytes: %s", rec.Code, rec.Body.Len(), rec.Body)
					}
				}
			})
		}
	}
}

// signJWT makes a token of the test issuer and audience, valid for an
// hour.
func signJWT(tb testing.TB, key jose.SigningKey) string {
	tb.Helper()
	now := time.Now()
	payload, _ := json.Marshal(map[string]any{"iss": issuer, "aud": audience, "nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix()})
	sig, err := jose.NewSigner(key, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		tb.Fatal(err)
	}
	jws, err := sig.Sign(payload)
	if err != nil {
		tb.Fatal(err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}
