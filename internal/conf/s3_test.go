package conf_test

import (
	"io"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/conf"
)

func TestS3Settings(t *testing.T) {
	c, err := conf.Load("t", []string{"--blob-driver", "s3", "--blob-s3-bucket", "media", "--blob-s3-endpoint", "http://127.0.0.1:8333",
		"--blob-s3-path-style", "--blob-s3-bucket-per-container", "--blob-s3-bucket-prefix", "ls-"},
		env(map[string]string{"LOCKSTREAM_S3_ACCESS_KEY_ID": "id", "LOCKSTREAM_S3_SECRET_ACCESS_KEY": "secret", "LOCKSTREAM_S3_PART_SIZE_MB": "16"}), io.Discard)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	s := c.Blob.S3
	if s.Bucket != "media" || !s.PathStyle || !s.BucketPerContainer || s.BucketPrefix != "ls-" || s.AccessKeyID != "id" ||
		s.SecretAccessKey.Reveal() != "secret" || s.PartSizeMB != 16 || s.Region != "us-east-1" {
		t.Errorf("s3 settings = %+v", s)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--blob-driver", "s3"}, "blob.s3.bucket"},
		{[]string{"--blob-driver", "s3", "--blob-s3-bucket", "b", "--blob-s3-endpoint", "ftp://x"}, "blob.s3.endpoint"},
		{[]string{"--blob-driver", "s3", "--blob-s3-bucket", "b", "--blob-s3-access-key-id", "x"}, "blob.s3"},
		{[]string{"--blob-driver", "s3", "--blob-s3-bucket", "b", "--blob-s3-part-size-mb", "4"}, "blob.s3.partSizeMB"},
		{[]string{"--blob-driver", "s3", "--blob-s3-bucket", "b", "--blob-listen", ""}, "blob.listen"},
		{[]string{"--blob-driver", "gcs"}, "blob.driver"},
	} {
		if _, err := conf.Load("t", tc.args, env(nil), io.Discard); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%q) = %v; want an error naming %s", tc.args, err, tc.want)
		}
	}
}
