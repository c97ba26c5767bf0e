// Package azure is the blob.Store backend on Azure Blob Storage, tested
// against Azurite (see internal/test/azurite).
//
// Containers map to account containers (with an optional prefix); blobs are
// block blobs. ReadRange is one ranged GET wrapped in the SDK's retry
// reader; Write streams through UploadStream, whose final Put Block List
// (or single Put Blob) makes the new content visible atomically, and which
// is aborted before committing when the reader fails or delivers a size
// other than the declared one. SignedContainerURL is a container-level
// service SAS signed with the account's shared key, with the same
// permission letters as the local backend.
//
// Name rules are checked client-side and match the local backend exactly,
// so the two stay interchangeable.
package azure
