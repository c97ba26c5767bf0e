package hls

import "errors"

// ErrNotFound is returned when the request names a track the view does
// not expose, or a segment or keyframe outside the view's window. The
// origin maps it to 404.
var ErrNotFound = errors.New("hls: not found")
