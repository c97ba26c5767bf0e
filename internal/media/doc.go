// Package media reads MP4 assets for just-in-time packaging.
//
// It parses only the metadata of each file (moov, or moof headers of
// fragmented inputs) through range reads, keeps compact sample tables, cuts
// one segment timeline per presentation on video sync samples, and reads the
// byte ranges one segment needs. Packagers (HLS, DASH, Smooth) build their
// outputs from a Presentation; they never touch whole files.
package media
