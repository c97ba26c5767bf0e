// Package encode turns a mezzanine into the outputs of an AMS Transform
// output's preset with ffmpeg: it validates preset JSON
// (BuiltInStandardEncoderPreset, StandardEncoderPreset), plans the ffmpeg
// command lines, runs them as child processes with progress reporting, and
// writes GOP-aligned MP4 layers, thumbnails and an AMS-style `.ism`/`.ismc`
// into a local output directory. It knows nothing of the store, blobs or
// jobs: the job engine downloads inputs into a scratch directory, calls
// Encoder.Encode and uploads what it wrote.
package encode
