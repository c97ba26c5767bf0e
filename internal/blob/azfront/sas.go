package azfront

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/blob"
)

const (
	// SignedVersion is the sv of signed URLs and the x-ms-version the
	// handler answers with (the same as package local's).
	SignedVersion = "2021-08-06"
	// MinKeyBytes is the shortest accepted HMAC key (256 bits).
	MinKeyBytes = 32

	sasDomain   = "lockstream-blob-sas/1" // separates these MACs from any other use of the key
	sasExpiryFm = "2006-01-02T15:04:05Z"
)

var errAuth = errors.New("signature verification failed")

// Signer mints and verifies signed container URLs.
type Signer struct {
	key     []byte
	baseURL string
	now     func() time.Time
}

// NewSigner returns a Signer whose URLs are baseURL/{container}?sas.
// baseURL is where the handler is reachable: scheme and host, plus the
// handler's PathPrefix when it is not "/" (without one the container is
// the first path segment, as on Azure). now is the clock for expiry
// checks (nil: time.Now).
func NewSigner(key []byte, baseURL string, now func() time.Time) (*Signer, error) {
	if len(key) < MinKeyBytes {
		return nil, fmt.Errorf("azfront: signing key must be at least %d bytes", MinKeyBytes)
	}
	if now == nil {
		now = time.Now
	}
	return &Signer{key: append([]byte(nil), key...), baseURL: strings.TrimRight(baseURL, "/"), now: now}, nil
}

// permLetters maps an AMS permission to Azure container SAS letters.
func permLetters(p blob.Permission) (string, error) {
	switch p {
	case blob.PermRead:
		return "rl", nil
	case blob.PermReadWrite:
		return "racwl", nil
	case blob.PermReadWriteDelete:
		return "racwdl", nil
	}
	return "", fmt.Errorf("azfront: unknown permission %q", p)
}

func (s *Signer) mac(container, sp, se, sr, sv string) []byte {
	m := hmac.New(sha256.New, s.key)
	// Every field has a strict alphabet by the time it gets here, so none
	// can contain the separator.
	m.Write([]byte(strings.Join([]string{sasDomain, container, sp, se, sr, sv}, "\n")))
	return m.Sum(nil)
}

// Sign returns {baseURL}/{container}?sv=…&se=…&sp=…&sr=c&sig=…. The expiry
// is not checked against the clock, so already-expired URLs can be
// minted (the handler refuses them).
func (s *Signer) Sign(ctx context.Context, container string, perm blob.Permission, expiry time.Time) (string, error) {
	if err := blob.ValidateContainer(container); err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if s.baseURL == "" {
		return "", errors.New("azfront: signed url: the blob endpoint has no base URL")
	}
	if expiry.IsZero() {
		return "", errors.New("azfront: signed url: expiry is required")
	}
	sp, err := permLetters(perm)
	if err != nil {
		return "", err
	}
	se := expiry.UTC().Format(sasExpiryFm)
	q := url.Values{}
	q.Set("sv", SignedVersion)
	q.Set("se", se)
	q.Set("sp", sp)
	q.Set("sr", "c")
	q.Set("sig", base64.StdEncoding.EncodeToString(s.mac(container, sp, se, "c", SignedVersion)))
	return s.baseURL + "/" + container + "?" + q.Encode(), nil
}

// verify checks a request's signed query for container and returns the
// granted letters. Failures are errAuth with a reason safe to show; a nil
// Signer (no key configured) refuses everything.
func (s *Signer) verify(container string, q url.Values) (string, error) {
	if s == nil {
		return "", fmt.Errorf("%w: signed access is disabled", errAuth)
	}
	sig, sp, se, sr, sv := q.Get("sig"), q.Get("sp"), q.Get("se"), q.Get("sr"), q.Get("sv")
	if sig == "" || sp == "" || se == "" || sr == "" || sv == "" {
		return "", fmt.Errorf("%w: sv, se, sp, sr and sig are required", errAuth)
	}
	if sr != "c" || sv != SignedVersion || blob.ValidateContainer(container) != nil {
		return "", fmt.Errorf("%w: unsupported signed resource or version", errAuth)
	}
	for _, c := range sp {
		if !strings.ContainsRune("racwdl", c) {
			return "", fmt.Errorf("%w: unsupported permission %q", errAuth, c)
		}
	}
	exp, err := time.Parse(time.RFC3339, se)
	if err != nil {
		return "", fmt.Errorf("%w: malformed expiry", errAuth)
	}
	got, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return "", fmt.Errorf("%w: malformed signature", errAuth)
	}
	// Constant time, and before the expiry check, so timing tells nothing
	// about which part of a forged URL was wrong.
	if !hmac.Equal(got, s.mac(container, sp, se, sr, sv)) {
		return "", fmt.Errorf("%w: signature mismatch", errAuth)
	}
	if !s.now().Before(exp) {
		return "", fmt.Errorf("%w: signed URL expired at %s", errAuth, se)
	}
	return sp, nil
}
