// Package azfront is Lockstream's Azure-Blob-compatible signed-URL
// endpoint over any storage that implements Backend (today the S3
// backend; the local backend keeps its own file-system-specific front in
// package local, which speaks the same protocol and signs the same way).
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
// container, permission letters, expiry, resource type and version (the
// canonical form of package local, so one key and one URL shape serve
// both). Staging and committing blocks is the Backend's business; the S3
// backend keeps staged blocks in the bucket, so any node behind a load
// balancer can commit a list staged through another.
package azfront
