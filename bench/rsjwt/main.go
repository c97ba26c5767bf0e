// Command rsjwt makes the RS256 side of bench/keys.sh: an RSA key pair for
// a content key policy's ContentKeyPolicyRsaTokenKey, and JWTs signed
// with it.
//
//	rsjwt key FILE            writes a 2048-bit private key (PKCS#8 PEM) to FILE and
//	                          prints "MODULUS EXPONENT", standard base64 as the API takes them
//	rsjwt sign FILE ISS AUD   prints an RS256 JWT (nbf now-60 s, exp now+6 h)
//
// Bench-only: the private key is a throwaway on the bench's temp dir.
package main

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "rsjwt:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	switch {
	case len(args) == 2 && args[0] == "key":
		return newKey(args[1])
	case len(args) == 4 && args[0] == "sign":
		return sign(args[1], args[2], args[3])
	}
	return errors.New("usage: rsjwt key FILE | rsjwt sign FILE ISSUER AUDIENCE")
}

func newKey(file string) error {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return fmt.Errorf("generate key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return fmt.Errorf("marshal key: %w", err)
	}
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return fmt.Errorf("write key: %w", err)
	}
	b64 := base64.StdEncoding
	fmt.Println(b64.EncodeToString(k.N.Bytes()), b64.EncodeToString(big.NewInt(int64(k.E)).Bytes()))
	return nil
}

func sign(file, iss, aud string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("read key: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return errors.New("read key: no PEM block")
	}
	pk, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return fmt.Errorf("parse key: %w", err)
	}
	k, ok := pk.(*rsa.PrivateKey)
	if !ok {
		return errors.New("parse key: not an RSA key")
	}
	enc := base64.RawURLEncoding
	now := time.Now().Unix()
	h, err := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT"})
	if err != nil {
		return err
	}
	p, err := json.Marshal(map[string]any{"iss": iss, "aud": aud, "nbf": now - 60, "iat": now, "exp": now + 6*3600})
	if err != nil {
		return err
	}
	in := enc.EncodeToString(h) + "." + enc.EncodeToString(p)
	sum := sha256.Sum256([]byte(in))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
	if err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	fmt.Println(in + "." + enc.EncodeToString(sig))
	return nil
}
