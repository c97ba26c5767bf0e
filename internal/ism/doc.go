// Package ism reads and writes IIS/AMS server manifests: the "{name}.ism"
// SMIL 2.0 file that sits beside the MP4 files of an AMS-encoded asset and
// lists which file and track carry each video, audio and text rendition:
//
//	<?xml version="1.0" encoding="utf-8" standalone="yes"?>
//	<smil xmlns="http://www.w3.org/2001/SMIL20/Language">
//	  <head><meta name="formats" content="mp4-v3" /></head>
//	  <body><switch>
//	    <video src="video_3400000.mp4" systemBitrate="3400000">
//	      <param name="trackID" value="1" valuetype="data" />
//	      <param name="trackName" value="video" valuetype="data" />
//	    </video>
//	    <audio src="audio_eng.mp4" systemBitrate="128000" systemLanguage="eng">…</audio>
//	  </switch></body>
//	</smil>
//
// The client manifest (".ismc") that AMS also wrote is a Smooth Streaming
// manifest, not a server manifest; Lockstream derives what it needs from the
// MP4 files and ignores it.
//
// # Trust
//
// A .ism is uploaded by whoever can write to the asset's container, so
// [Parse] treats it as untrusted input: it reads at most [MaxSize] bytes,
// refuses a src that is absolute, a URL, or climbs out of the asset with
// "..", and refuses bad numbers rather than defaulting them. Its errors wrap
// [ErrTooLarge], [ErrMalformed] (not XML, or not a SMIL server manifest) or
// [ErrInvalid] (well-formed but with a bad value), and quote at most a short
// prefix of any value.
//
// # Round trip
//
// [Marshal] writes the dialect AMS wrote (and checks the same rules first,
// so it never writes a file Parse would refuse). Parse(Marshal(m)) equals m
// for any m that Parse returned; attributes and elements this package does
// not model (valuetype, unknown attributes, comments) are not kept.
package ism
