package encode

import (
	"path/filepath"
	"regexp"
)

// JobError codes Encode returns (ams-v3-api.md JobErrorCode).
const (
	CodeContentMalformed         = "ContentMalformed"
	CodeContentUnsupported       = "ContentUnsupported"
	CodeConfigurationUnsupported = "ConfigurationUnsupported"
	CodeServiceError             = "ServiceError"
)

// newError builds an *Error with the category and retry AMS gives code.
func newError(code, msg string, err error) *Error {
	e := &Error{Code: code, Message: msg, Err: err, Retry: "DoNotRetry"}
	switch code {
	case CodeContentMalformed, CodeContentUnsupported:
		e.Category = "Content"
	case CodeConfigurationUnsupported:
		e.Category = "Configuration"
	default:
		e.Category = "Service"
	}
	return e
}

func configError(msg string) *Error {
	return newError(CodeConfigurationUnsupported, msg, ErrUnsupported)
}

var (
	// Input problems found while decoding.
	malformedRE = regexp.MustCompile(`(?i)invalid data found|moov atom not found|error while decoding|corrupt|truncat|invalid nal|missing picture|end of file|could not find codec parameters`)
	// Codecs this ffmpeg cannot decode.
	unsupportedRE = regexp.MustCompile(`(?i)decoder \(codec [^)]*\) not found|unsupported codec|no decoder|not supported by this build|unknown codec`)
	// Encoder or filter settings ffmpeg refused.
	configRE = regexp.MustCompile(`(?i)error (initializing|while opening) (output stream|encoder)|error reinitializing filters|failed to configure|incompatible|profile .* not|level .* not|invalid (argument|value)|could not open encoder|error setting option|requested.*exceeds`)
)

// classify maps a failed ffmpeg run to a JobError code from its stderr.
func classify(stderr string) string {
	switch {
	case unsupportedRE.MatchString(stderr):
		return CodeContentUnsupported
	case configRE.MatchString(stderr):
		return CodeConfigurationUnsupported
	case malformedRE.MatchString(stderr):
		return CodeContentMalformed
	}
	return CodeServiceError
}

// baseName is the file name users know an input by (the scratch
// directory is the server's business).
func baseName(p string) string { return filepath.Base(p) }
