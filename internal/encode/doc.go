// Package encode turns a mezzanine into the outputs of an AMS Transform
// output's preset with ffmpeg: it validates preset JSON
// (BuiltInStandardEncoderPreset, StandardEncoderPreset), plans the ffmpeg
// command lines, runs them as child processes with progress reporting, and
// writes GOP-aligned MP4 layers, thumbnails and an AMS-style `.ism`/`.ismc`
// into a local output directory. It knows nothing of the store, blobs or
// jobs: the job engine downloads inputs into a scratch directory, calls
// Encoder.Encode and uploads what it wrote.
//
// # Validation
//
// ParsePreset decodes through defs.DecodePreset: invalid members are
// *defs.FieldError with their full JSON path; analyzer and face-detector
// presets, unknown built-in names and features without an ffmpeg
// equivalent (HE-AAC, sprites, fades, Dolby Digital) wrap ErrUnsupported
// and a *defs.FieldError.
//
// # One run, aligned layers
//
// Every output of a preset is made by one ffmpeg run: the source is
// decoded once, filtered (deinterlace, rotation, crop, overlays, or the
// concatenation of a sequence) and split into every video layer and
// thumbnail series. Each layer gets the same keyframe schedule — forced
// IDR frames at multiples of the keyframe interval, a GOP of that many
// frames, scene-cut keyframes off, closed GOPs — so the keyframe times of
// all layers are identical and the origin's segments line up. Content-
// aware presets first run a short complexity probe (a CRF 23 encode at
// 640x360 over up to four 10 s windows) and derive the ladder from the
// bitrate it needed.
//
// # Outputs
//
// Files are named by the format's filenamePattern (built-in presets use
// AMS's names with measured bitrates); <Basename>.ism (written with
// package ism) and .ismc (the Smooth manifest of the presentation package
// media builds from the outputs, which also proves they segment) and
// <Basename>_manifest.json / _metadata.json follow. Temporary names start
// with a dot and are removed on failure.
//
// # Failures
//
// Encode returns *Error with the AMS JobError code: inputs ffprobe cannot
// read are ContentMalformed, inputs without audio/video or with codecs
// this ffmpeg cannot decode ContentUnsupported, presets the input cannot
// satisfy ConfigurationUnsupported (wrapping ErrUnsupported), everything
// else ServiceError. Cancelling the context interrupts ffmpeg (SIGINT,
// SIGKILL two seconds later) and returns the context's error. Each run is
// bounded in time (from the input duration), threads and data size.
package encode
