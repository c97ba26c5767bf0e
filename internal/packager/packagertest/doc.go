// Package packagertest holds the fixtures the format packages' tests
// share: a two-rendition presentation made with ffmpeg, and ffprobe frame
// counts of what they produce.
package packagertest
