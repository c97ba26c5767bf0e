// Package streamurl parses and builds the request paths of the AMS
// streaming origin:
//
//	/{locatorId}/{name}.ism/manifest[(args)][.m3u8|.mpd]                      KindManifest
//	/{locatorId}/{name}.ism/QualityLevels({bitrate})/Manifest({track}[,args])  KindPlaylist (HLS media playlist)
//	/{locatorId}/{name}.ism/QualityLevels({bitrate})/Fragments({track}={time|i}[,args])[.ext]  KindFragment
//	/{locatorId}/{file}[/{file}…]                                              KindDownload (progressive download)
//
// Literal words (manifest, QualityLevels, Manifest, Fragments, the ".ism"
// suffix, argument keys and enumerated argument values) are matched
// case-insensitively because AMS ran on IIS, and players and CMS code in the
// wild spell them every way. Names (the .ism file, tracks, filters, files)
// keep their case. The locator ID is normalised to lower case.
//
// # Escaping
//
// [Parse] takes the escaped path (http.Request.URL.EscapedPath()) and
// unescapes each '/'-separated segment itself, before the grammar is
// applied. Splitting first means "%2F" can never create or hide a path
// separator (it is refused); unescaping before the grammar means a name can
// never contain a grammar delimiter, so "%2C" is the same as ",". An already
// unescaped path parses the same unless it holds a literal '%', which is then
// read as the start of an escape — callers must pass EscapedPath.
//
// # What Parse checks
//
// Parse checks the grammar and the value sets, not whether a combination
// makes sense for a locator (encryption required, protocol enabled, filter
// exists, track exists): those need the streaming policy and the asset and
// are the origin's job. The one combination rule here is the "cbcs" alias of
// "cbcs-aapl", which AMS accepted only with CMAF and DASH formats.
//
// Parse is strict: an unknown argument, a repeated argument, an empty value
// or an unsupported value is an error rather than being ignored, so a typo
// in a player configuration fails loudly instead of silently streaming the
// wrong protocol or an unencrypted variant.
//
// # Errors
//
// Errors are [*Error] values carrying the HTTP status and MPE_* code the
// origin should answer with:
//
//   - 404 MPE_RESOURCE_NOT_FOUND when the path does not have any of the
//     shapes above (no locator GUID, nothing after ".ism/", an unknown word
//     such as "/x.ism/foo"). Such a path cannot name anything the origin
//     serves, exactly like a missing file, and answering 404 tells a scanner
//     nothing about the grammar.
//   - 400 MPE_BAD_URL_SYNTAX when the shape is recognised but malformed: bad
//     or unknown arguments, a bad bitrate or time, empty or "."/".."
//     segments, bad percent-escapes, control bytes, backslashes, '/' hidden
//     as %2F, invalid UTF-8, over-long paths.
//
// Messages quote at most a short prefix of any input they mention, so
// logging or returning them cannot be used to reflect large payloads.
//
// # Building
//
// [Request.Path] renders a request in canonical form (lower-case locator,
// arguments in the order format, encryption, filter, audio-only, type,
// audiotrack; lower-case values). Parse(r.Path()) gives back r for every r
// that Parse returned; the tests and FuzzParse check this. [ManifestPath],
// [PlaylistPath] and [FragmentPath] build the sub-resource references that
// manifests carry, relative to the ".ism/" directory ([Request.Base]); their
// bitrate and time arguments are inserted verbatim so that the template
// placeholders of DASH ("$Bandwidth$", "$Time$") and Smooth ("{bitrate}",
// "{start time}") can be passed.
package streamurl
