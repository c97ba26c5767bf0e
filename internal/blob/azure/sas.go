package azure

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"

	"github.com/lockstream/lockstream/internal/blob"
)

// permissions maps an AMS permission to container SAS permissions, giving
// the same letters as the local backend: Read "rl", ReadWrite "racwl",
// ReadWriteDelete "racwdl".
func permissions(p blob.Permission) (string, error) {
	var cp sas.ContainerPermissions
	switch p {
	case blob.PermRead:
		cp = sas.ContainerPermissions{Read: true, List: true}
	case blob.PermReadWrite:
		cp = sas.ContainerPermissions{Read: true, Add: true, Create: true, Write: true, List: true}
	case blob.PermReadWriteDelete:
		cp = sas.ContainerPermissions{Read: true, Add: true, Create: true, Write: true, Delete: true, List: true}
	default:
		return "", fmt.Errorf("azure: unknown permission %q", p)
	}
	return cp.String(), nil
}

// SignedContainerURL returns a service SAS for the container signed with
// the account key. Past expiries are allowed (the service refuses them),
// which tests rely on. Plain-http endpoints (Azurite) get spr=https,http.
func (s *Store) SignedContainerURL(ctx context.Context, container string, perm blob.Permission, expiry time.Time) (string, error) {
	phys, err := s.physical(container)
	if err != nil {
		return "", err
	}
	if err = ctx.Err(); err != nil {
		return "", err
	}
	if expiry.IsZero() {
		return "", errors.New("azure: signed url: expiry is required")
	}
	sp, err := permissions(perm)
	if err != nil {
		return "", err
	}
	proto := sas.ProtocolHTTPS
	if !s.https {
		proto = sas.ProtocolHTTPSandHTTP
	}
	qp, err := sas.BlobSignatureValues{
		Protocol:      proto,
		ExpiryTime:    expiry.UTC(),
		Permissions:   sp,
		ContainerName: phys,
	}.SignWithSharedKey(s.cred)
	if err != nil {
		return "", fmt.Errorf("azure: sign container %q: %w", container, err)
	}
	return s.serviceURL + "/" + phys + "?" + qp.Encode(), nil
}
