package jobs

import (
	"errors"

	"github.com/lockstream/lockstream/internal/defs"
	"github.com/lockstream/lockstream/internal/encode"
)

// failure is a job or output failure with its AMS JobError.
type failure struct {
	je defs.JobError
}

func (f *failure) Error() string { return f.je.Code + ": " + f.je.Message }

// categories gives each AMS JobErrorCode its category and retry advice.
var categories = map[string][2]string{
	defs.JobErrorServiceError:             {defs.JobErrorCategoryService, defs.JobRetryDoNotRetry},
	defs.JobErrorServiceTransientError:    {defs.JobErrorCategoryService, defs.JobRetryMayRetry},
	defs.JobErrorDownloadNotAccessible:    {defs.JobErrorCategoryDownload, defs.JobRetryDoNotRetry},
	defs.JobErrorDownloadTransientError:   {defs.JobErrorCategoryDownload, defs.JobRetryMayRetry},
	defs.JobErrorUploadNotAccessible:      {defs.JobErrorCategoryUpload, defs.JobRetryDoNotRetry},
	defs.JobErrorUploadTransientError:     {defs.JobErrorCategoryUpload, defs.JobRetryMayRetry},
	defs.JobErrorConfigurationUnsupported: {defs.JobErrorCategoryConfiguration, defs.JobRetryDoNotRetry},
	defs.JobErrorContentMalformed:         {defs.JobErrorCategoryContent, defs.JobRetryDoNotRetry},
	defs.JobErrorContentUnsupported:       {defs.JobErrorCategoryContent, defs.JobRetryDoNotRetry},
}

// fail builds a failure with code's category and retry advice.
func fail(code, msg string) *failure {
	c, ok := categories[code]
	if !ok {
		c = categories[defs.JobErrorServiceError]
	}
	return &failure{je: defs.JobError{Code: code, Message: msg, Category: c[0], Retry: c[1]}}
}

// jobError turns an encoding error into a JobError: the encoder's own
// classification when it gave one, else a service error.
func jobError(err error) defs.JobError {
	var f *failure
	if errors.As(err, &f) {
		return f.je
	}
	var ee *encode.Error
	if errors.As(err, &ee) {
		je := defs.JobError{Code: ee.Code, Category: ee.Category, Retry: ee.Retry, Message: ee.Message}
		if c, ok := categories[je.Code]; ok {
			if je.Category == "" {
				je.Category = c[0]
			}
			if je.Retry == "" {
				je.Retry = c[1]
			}
		}
		if je.Code == "" {
			je.Code, je.Category, je.Retry = defs.JobErrorServiceError, defs.JobErrorCategoryService, defs.JobRetryDoNotRetry
		}
		return je
	}
	return fail(defs.JobErrorServiceError, "The encoder failed: "+err.Error()).je
}
