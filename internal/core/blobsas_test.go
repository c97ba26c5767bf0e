package core_test

import (
	"bytes"
	"context"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/service"

	"github.com/lockstream/lockstream/internal/conf"
)

// TestContainerSASAzureLayout: listContainerSas answers with Azure's
// layout, scheme://host/{container}?sas, on the blob listener, and the
// rewrites client code does with it keep the signature valid: a service
// client from the account URL plus the SAS (Python's
// BlobServiceClient(sas_url) drops the path), a container client from the
// container URL, a service client from the whole URL with
// getContainerClient("") (the Node samples), and the Python samples'
// "/../{container}/{file}" path.
func TestContainerSASAzureLayout(t *testing.T) {
	c := testConf(t, t.TempDir())
	c.Demo.Enabled = false
	checkContainerSASLayout(t, c)
}

// checkContainerSASLayout runs TestContainerSASAzureLayout's checks on a
// node with configuration c (the blob driver varies).
func checkContainerSASLayout(t *testing.T, c conf.Conf) {
	n := start(t, c)
	defer n.Close(context.Background())
	api := "http://" + n.Addr("api")
	acct := api + "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Media/mediaServices/sas"
	tok := token(t, api)
	call := mgmtCall(t, tok)
	sasURL := uploadSAS(t, call, acct, "up")
	u, err := url.Parse(sasURL)
	if err != nil {
		t.Fatal(err)
	}
	if u.Host != n.Addr("blob") || strings.Count(u.Path, "/") != 1 || !strings.HasPrefix(u.Path, "/asset-") {
		t.Fatalf("SAS URL %s: want http://%s/<container>?sas", sasURL, n.Addr("blob"))
	}
	containerName := strings.TrimPrefix(u.Path, "/")
	account := u.Scheme + "://" + u.Host
	ctx := context.Background()

	upload := func(name string, cc *container.Client) {
		t.Helper()
		if _, err := cc.NewBlockBlobClient(name).UploadBuffer(ctx, []byte("data of "+name), nil); err != nil {
			t.Fatalf("upload %s: %v", name, err)
		}
	}
	// Container client from the container URL.
	cc, err := container.NewClientWithNoCredential(sasURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	upload("from-container-url.txt", cc)
	// Service client from account URL + SAS, then the container by name.
	sc, err := service.NewClientWithNoCredential(account+"/?"+u.RawQuery, nil)
	if err != nil {
		t.Fatal(err)
	}
	upload("from-account-url.txt", sc.NewContainerClient(containerName))
	// Service client from the whole container URL, container "".
	sc2, err := service.NewClientWithNoCredential(sasURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	upload("from-empty-container-name.txt", sc2.NewContainerClient(""))
	// The Python samples' helper: container name "../{container}".
	bb, err := blockblob.NewClientWithNoCredential(account+"/../"+containerName+"/python-style.txt?"+u.RawQuery, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bb.UploadBuffer(ctx, []byte("data of python-style.txt"), nil); err != nil {
		t.Fatalf("upload through /../{container}/: %v", err)
	}

	// Every upload landed in the asset's container.
	var got []string
	pager := cc.NewListBlobsFlatPager(nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range page.Segment.BlobItems {
			got = append(got, *b.Name)
		}
	}
	want := []string{"from-account-url.txt", "from-container-url.txt", "from-empty-container-name.txt", "python-style.txt"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("blobs %v, want %v", got, want)
	}
	resp, err := cc.NewBlobClient("python-style.txt").DownloadStream(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(b, []byte("data of python-style.txt")) {
		t.Fatalf("content %q", b)
	}
	// The local backend's endpoint is also mounted under /blob/ on the API
	// listener, for URLs minted before the blob listener existed: the same
	// signature opens the same container there.
	if c.Blob.Driver == "local" {
		legacy, err := container.NewClientWithNoCredential(api+"/blob/"+containerName+"?"+u.RawQuery, nil)
		if err != nil {
			t.Fatal(err)
		}
		upload("through-api-listener.txt", legacy)
		resp, err := cc.NewBlobClient("through-api-listener.txt").DownloadStream(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "data of through-api-listener.txt" {
			t.Fatalf("content through /blob/ %q", b)
		}
	}
	// A signature for one container opens no other.
	other := account + "/other-container/x.txt?" + u.RawQuery
	if bc, err := blockblob.NewClientWithNoCredential(other, nil); err == nil {
		if _, err := bc.UploadBuffer(ctx, []byte("x"), nil); err == nil || !strings.Contains(err.Error(), "403") {
			t.Fatalf("other container: %v", err)
		}
	}
}
