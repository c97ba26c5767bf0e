package conf

import "net/url"

// validateS3 checks the s3 blob driver's settings.
func (c *Conf) validateS3() error {
	s := &c.Blob.S3
	if s.Bucket == "" {
		return &FieldError{Field: "blob.s3.bucket", Msg: "required for the s3 driver"}
	}
	if s.Endpoint != "" {
		u, err := url.Parse(s.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &FieldError{Field: "blob.s3.endpoint", Value: s.Endpoint, Msg: "must be an absolute http(s) URL"}
		}
	}
	if s.Region == "" {
		return &FieldError{Field: "blob.s3.region", Msg: "must not be empty"}
	}
	if (s.AccessKeyID == "") != (s.SecretAccessKey == "") {
		return &FieldError{Field: "blob.s3", Msg: "accessKeyId and secretAccessKey must be set together (or both left empty for the AWS credential chain)"}
	}
	if s.PartSizeMB < 5 || s.PartSizeMB > 5120 {
		return &FieldError{Field: "blob.s3.partSizeMB", Msg: "must be between 5 and 5120"}
	}
	if s.BucketPerContainer && len(s.BucketPrefix) > 60 {
		return &FieldError{Field: "blob.s3.bucketPrefix", Msg: "too long for bucket names"}
	}
	return nil
}
