// Package packager holds what the format packagers (hls, dash, smooth)
// share: the View of a presentation a request may see, after filters, and
// the argument suffix that sub-resource URLs carry.
package packager
