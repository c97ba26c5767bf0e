package s3

import (
	"errors"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
)

// statusOf returns the HTTP status of an S3 error, or 0.
func statusOf(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// codeOf returns the S3 error code ("NoSuchKey"…), or "".
func codeOf(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func isNotFound(err error) bool {
	if statusOf(err) == http.StatusNotFound {
		return true
	}
	switch codeOf(err) {
	case "NoSuchKey", "NotFound", "NoSuchBucket", "NoSuchUpload":
		return true
	}
	return false
}
