// Package azfront is Lockstream's Azure-Blob-compatible signed-URL
// endpoint over any storage that implements Backend: the local backend
// (package local, mounted at the root of the blob listener and under
// /blob/ on the API listener for URLs minted before) and the S3 backend.
//
// AMS clients call listContainerSas and upload with the Azure Blob SDKs,
// so a backend that is not Azure Blob Storage itself needs a front that
// speaks the Azure Blob REST subset those SDKs use for block blobs: Put
// Blob, Put Block, Put Block List, Get Block List, Get Blob (ranged), Get
// Blob Properties, Delete Blob, List Blobs and Get Container Properties,
// with Azure's error XML, x-ms-error-code and status codes, conditional
// headers (the SDK's retry reader resumes with If-Match) and
// Content-MD5 / x-ms-content-crc64 verification before a new version
// becomes visible.
//
// Signer mints and verifies the container SAS: an HMAC-SHA256 over the
// container, permission letters, expiry, resource type and version, so
// one key gives the same URLs whichever backend serves them. Staging and
// committing blocks is the Backend's business: the local backend stages
// them on disk; the S3 backend keeps them in the bucket, so any node
// behind a load balancer can commit a list staged through another.
//
// Limits: request bodies (Put Blob, Put Block) and block lists are
// bounded by the front (Options). The number and bytes of blocks a blob
// may have staged and the size of a committed blob (Limits) are handed to
// the Backend: the local backend enforces them, the S3 backend does not,
// as counting staged blocks would cost a listing per Put Block. A URL
// holder with write permission can store that much through Put Blob
// anyway; abandoned blocks are removed by the node's staging janitor (or
// a bucket lifecycle rule).
//
// Get Blob describes a blob, then reads it; backends implementing
// VersionReader read exactly the described version, so a download never
// pairs one version's ETag with another's bytes.
package azfront
