package media

// SrcAV is the ffmpeg source of the package's test files, for the
// external tests.
var SrcAV = srcAV
