package local

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
	// PathPrefix is the default Config.URLPrefix: where the server mounts
	// NewBlobHandler; signed URLs are PublicBaseURL + URLPrefix + container.
	PathPrefix = "/blob/"
	// SignedVersion is the sv value of signed URLs and the x-ms-version the
	// handler answers with: the Azure Blob REST version whose subset the
	// handler implements.
	SignedVersion = "2021-08-06"
	// MinSigningKeyBytes is the shortest accepted HMAC key (256 bits).
	MinSigningKeyBytes = 32

	sasDomain   = "lockstream-blob-sas/1" // separates our MACs from any other use of the key
	sasExpiryFm = "2006-01-02T15:04:05Z"
)

var (
	errNoSigningKey = errors.New("local: no signing key configured")
	errAuth         = errors.New("signature verification failed")
)

// permLetters maps an AMS permission to Azure container SAS letters, the
// same letters the azure backend puts in its SAS.
func permLetters(p blob.Permission) (string, error) {
	switch p {
	case blob.PermRead:
		return "rl", nil
	case blob.PermReadWrite:
		return "racwl", nil
	case blob.PermReadWriteDelete:
		return "racwdl", nil
	}
	return "", fmt.Errorf("local: unknown permission %q", p)
}

// canonicalSAS is the string the signature covers. Every field is checked
// for a strict alphabet before it gets here (container name rules, SAS
// letters, a parsed timestamp, fixed sr and sv), so none can contain the
// '\n' separator and fields cannot be shifted into one another.
func canonicalSAS(container, sp, se, sr, sv string) string {
	return strings.Join([]string{sasDomain, container, sp, se, sr, sv}, "\n")
}

func (s *Store) mac(container, sp, se, sr, sv string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(canonicalSAS(container, sp, se, sr, sv)))
	return m.Sum(nil)
}

// SignedContainerURL returns
// {PublicBaseURL}{URLPrefix}{container}?sv=…&se=…&sp=…&sr=c&sig=…, which the
// Azure SDK's container.NewClientWithNoCredential accepts as is. The expiry
// is not checked against the clock so callers (and tests) can mint
// already-expired URLs; the handler rejects those.
func (s *Store) SignedContainerURL(ctx context.Context, container string, perm blob.Permission, expiry time.Time) (string, error) {
	if err := blob.ValidateContainer(container); err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if len(s.key) == 0 {
		return "", errNoSigningKey
	}
	if s.baseURL == "" {
		return "", errors.New("local: signed url: PublicBaseURL is not configured")
	}
	if expiry.IsZero() {
		return "", errors.New("local: signed url: expiry is required")
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
	return s.baseURL + s.prefix + container + "?" + q.Encode(), nil
}

// verifySAS checks the signed query of a request for container and returns
// the granted permission letters. Every failure is errAuth with a reason a
// client may see (it reveals nothing about the key).
func (s *Store) verifySAS(container string, q url.Values) (string, error) {
	if len(s.key) == 0 {
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
	// Constant time, and before the expiry check so timing reveals nothing
	// about which part of a forged URL was wrong.
	if !hmac.Equal(got, s.mac(container, sp, se, sr, sv)) {
		return "", fmt.Errorf("%w: signature mismatch", errAuth)
	}
	if !s.now().Before(exp) {
		return "", fmt.Errorf("%w: signed URL expired at %s", errAuth, se)
	}
	return sp, nil
}
