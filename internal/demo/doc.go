// Package demo embeds the small demo asset (three MP4 renditions and an
// AMS-style .ism manifest, made with ffmpeg's testsrc2 and sine sources) that
// "lockstream serve --demo" loads, so a fresh machine needs no encoder.
package demo

import "embed"

// Media holds the demo files under "media/".
//
//go:embed media/*
var Media embed.FS
