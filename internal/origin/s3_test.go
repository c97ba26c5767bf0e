package origin_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/test/mediatest"
	"github.com/lockstream/lockstream/internal/test/s3test"
)

// TestS3StreamsEveryListedURL runs the origin on the s3 blob driver
// against a real S3 server (SeaweedFS): the ladder is uploaded the way
// AMS clients upload, with the Azure Blob SDK through listContainerSas
// (1 MiB blocks, so larger files go through Put Block / Put Block List),
// published with a clear locator, and every URL listPaths and the
// manifests name (HLS, DASH, Smooth: playlists, init segments, every
// segment) must answer 200 — with exactly the bytes a node on the local
// blob driver serves for the same asset, so packaging cannot tell the
// backends apart.
func TestS3StreamsEveryListedURL(t *testing.T) {
	mediatest.Require(t)
	srv := s3test.Start(t)
	set := mediatest.Ladder(t)
	s3node := startNode(t, func(c *conf.Conf) {
		c.Blob.Driver = "s3"
		c.Blob.S3.Endpoint = srv.Endpoint
		c.Blob.S3.Region = srv.Region
		c.Blob.S3.Bucket = srv.NewBucket(t, "ls-origin-")
		c.Blob.S3.PathStyle = true
		c.Blob.S3.AccessKeyID = srv.AccessKey
		c.Blob.S3.SecretAccessKey = conf.Secret(srv.SecretKey)
		c.Blob.SigningKey = "s3-origin-test-signing-key-0123456789"
	})
	localNode := startNode(t)

	sdkUpload(t, s3node, "ladder", set)
	localNode.upload("ladder", set)
	const locatorID = "5a3c1f00-0000-4000-8000-000000000053"
	extra := map[string]any{"streamingLocatorId": locatorID}
	p := s3node.locator("ladder-s3", "ladder", "Predefined_ClearStreamingOnly", extra)
	localNode.locator("ladder-s3", "ladder", "Predefined_ClearStreamingOnly", extra)

	for _, sp := range p.StreamingPaths {
		for _, u := range sp.Paths {
			t.Run(sp.StreamingProtocol+"/"+u[strings.LastIndex(u, "/")+1:], func(t *testing.T) {
				s3node.t, localNode.t = t, t
				c := &crawler{t: t, n: s3node, seen: map[string]bool{}}
				c.visit(u)
				must(t, len(c.seen) > 10, "only %d URLs reached from %s", len(c.seen), u)
				urls := make([]string, 0, len(c.seen))
				for v := range c.seen {
					urls = append(urls, v)
				}
				sort.Strings(urls)
				for _, v := range urls {
					r1, b1 := s3node.get(v)
					r2, b2 := localNode.get(v)
					if r1.StatusCode != http.StatusOK || r2.StatusCode != http.StatusOK || !bytes.Equal(b1, b2) {
						t.Errorf("%s: s3 node %d (%d bytes), local node %d (%d bytes); want 200 and the same bytes",
							v, r1.StatusCode, len(b1), r2.StatusCode, len(b2))
					}
				}
				t.Logf("%s: %d URLs identical on s3 and local", u, len(urls))
			})
		}
	}
}

// sdkUpload creates asset name and uploads the set's files with the azblob
// SDK through the asset's ReadWrite container SAS URL.
func sdkUpload(t *testing.T, n *node, name string, set *mediatest.Set) {
	t.Helper()
	n.do(http.MethodPut, "/assets/"+name, map[string]any{"properties": map[string]any{}}, 200, nil)
	var sas struct {
		AssetContainerSasUrls []string `json:"assetContainerSasUrls"`
	}
	n.do(http.MethodPost, "/assets/"+name+"/listContainerSas", map[string]any{"permissions": "ReadWrite", "expiryTime": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}, 200, &sas)
	if len(sas.AssetContainerSasUrls) == 0 {
		t.Fatal("no SAS URL")
	}
	cc, err := container.NewClientWithNoCredential(sas.AssetContainerSasUrls[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	for _, f := range set.Names() {
		fh, err := os.Open(set.Path(f))
		if err != nil {
			t.Fatal(err)
		}
		_, err = cc.NewBlockBlobClient(f).UploadFile(ctx, fh, &blockblob.UploadFileOptions{BlockSize: 1 << 20, Concurrency: 2})
		_ = fh.Close()
		if err != nil {
			t.Fatalf("SDK upload of %s: %v", f, err)
		}
	}
}
