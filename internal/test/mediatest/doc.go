// Package mediatest makes test media with ffmpeg at test time and checks
// media with ffprobe and ffmpeg.
//
//	set := mediatest.Ladder(t) // 3 H.264 renditions + 2 AAC languages + .ism
//	for _, f := range set.Files { upload(f.Path) }
//	...
//	p := mediatest.Probe(t, originURL+"/x.ism/manifest(format=m3u8-aapl)")
//	v, a := mediatest.DecodeAll(t, mediaPlaylistURL)
//
// # Generated sets
//
// Ladder, HEVC, Muxed and Fragmented each describe their media by a plan
// (ffmpeg arguments plus file roles). A set is generated once per plan and
// ffmpeg version into a directory under os.TempDir() named after a hash of
// both, and reused by later test binaries and later runs: generation takes
// seconds, reuse a stat. A set is built in a sibling ".partial-" directory
// and renamed into place only when complete, with its description
// (mediatest.json, the completion marker) written last, so concurrent test
// binaries never see half a set and a set that lost a file is rebuilt.
// Leftover partial directories older than an hour are removed; `rm -rf
// /tmp/lockstream-mediatest-*` clears everything.
//
// The files of a set are shared: treat them as read-only (copy them with
// Set.CopyTo to change them).
//
// Every File and Track carries what ffprobe measured on the result (codec,
// size, bitrate, decoded frame count), so tests compare against real
// numbers rather than the requested ones.
//
// # Missing tools
//
// When ffmpeg or ffprobe is not on PATH, every function skips the test,
// or fails it when CI=true, naming the Debian package (ffmpeg) to install.
package mediatest
