// Package s3 is the blob.Store backend on S3-compatible object storage
// (AWS S3, SeaweedFS, MinIO, Ceph RGW…), through the AWS SDK for Go v2.
//
// # Layout
//
// Two layouts, chosen by Config.BucketPerContainer:
//
//   - one bucket (default): every container lives in Config.Bucket, a blob
//     under the key "{container}/{name}"; a container exists while its
//     marker object ".lockstream/containers/{container}" does. One bucket
//     is simplest to provision and to grant.
//   - bucket per container: container c is bucket
//     "{Config.BucketPrefix}{c}" and a blob's key is its name, so operators
//     can apply bucket policies, lifecycle rules or replication per asset.
//     Config.Bucket then only holds Lockstream's private objects.
//
// Private objects (staged blocks, committed block lists, container
// markers) live under ".lockstream/" in Config.Bucket. No container name
// can start with '.', so in the one-bucket layout they can never collide
// with a blob; in the bucket-per-container layout they are in another
// bucket altogether.
//
// # Semantics
//
// Write streams through the SDK's upload manager: one PUT for blobs up to
// Config.PartSize, a multipart upload above it. S3 makes either visible
// atomically (PUT, CompleteMultipartUpload), and the reader given to
// Write is wrapped so a short, long or failing body fails the upload
// before it completes (the manager then aborts the multipart upload).
// ReadRange is one ranged GET. List is a ListObjectsV2 walk plus one HEAD
// per blob (in parallel), because S3 listings carry no content type.
//
// # Signed container URLs
//
// AMS clients upload through listContainerSas with the Azure Blob SDKs, so
// SignedContainerURL returns a URL of Lockstream's own Azure-compatible
// blob endpoint (package azfront, minted by Config.SignURL), served over
// this store: Put Block stages a block as a private object, Put Block List
// commits by a multipart upload that copies staged blocks server-side
// (UploadPartCopy) where they are at least 5 MiB and concatenates smaller
// ones, then deletes the staged blocks. Staging lives in the bucket, not
// on a node, so a block list can be committed through any node behind a
// load balancer. PresignedURL offers plain S3 presigned URLs for operators
// who give clients direct S3 access instead.
package s3
