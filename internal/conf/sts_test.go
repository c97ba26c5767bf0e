package conf_test

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/lockstream/lockstream/internal/conf"
)

func TestSTSSettings(t *testing.T) {
	key := "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY" // 32 bytes, unpadded
	c, err := conf.Load("t", []string{"--sts-key-type", "HS256", "--sts-token-lifetime", "10m", "--sts-enabled=false"},
		env(map[string]string{"LOCKSTREAM_STS_HMAC_KEY": key, "LOCKSTREAM_STS_ISSUER": "https://media.example.com/sts"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.STS.Enabled || c.STS.KeyType != "HS256" || c.STS.TokenLifetime.Std() != 10*time.Minute || c.STS.Issuer != "https://media.example.com/sts" {
		t.Fatalf("sts = %+v", c.STS)
	}
	if k, err := c.STSHMACKey(); err != nil || string(k) != "0123456789abcdef0123456789abcdef" {
		t.Fatalf("hmac key %q, %v", k, err)
	}
	if d := conf.Default(); !d.STS.Enabled || d.STS.KeyType != "RS256" || d.STS.Audience == "" {
		t.Fatalf("defaults %+v", d.STS)
	}

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"bad key type", []string{"--sts-key-type", "none"}, "sts.keyType"},
		{"HS256 without key", []string{"--sts-key-type", "HS256"}, "sts.hmacKey"},
		{"short HMAC key", []string{"--sts-key-type", "HS256", "--sts-hmac-key", "c2hvcnQ="}, "sts.hmacKey"},
		{"HMAC key with RS256", []string{"--sts-hmac-key", key}, "sts.hmacKey"},
		{"relative issuer", []string{"--sts-issuer", "/sts"}, "sts.issuer"},
		{"audience with space", []string{"--sts-audience", "a b"}, "sts.audience"},
		{"short rotation", []string{"--sts-key-rotation", "1h"}, "sts.keyRotation"},
		{"long lifetime", []string{"--sts-token-lifetime", "48h"}, "sts.tokenLifetime"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := conf.Load("t", tc.args, env(nil), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want mention of %q", err, tc.want)
			}
			if strings.Contains(err.Error(), key) {
				t.Fatal("error leaks the key")
			}
		})
	}
}
