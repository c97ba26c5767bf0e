// Package cmaf builds the CMAF boxes every output format is made of: the
// header of one track (ftyp + moov, [Init]), the single-track fragment of
// one segment (moof + mdat, [Segment], [Fragment]) and its encoding with
// or without a styp ([Encode], [FragmentBytes]).
//
// The format packages (packager/dash, packager/hls for m3u8-cmaf,
// packager/smooth, which rescales the fragment to HNS and adds tfxd) and
// the protection layer (which turns an init segment into a protected one)
// build on it, so no format package needs another's. Fragments are
// returned unencoded so that sample encryption can change them in place
// before [Encode] writes them.
//
// Every output track is alone in its file with track id 1; the fragment
// of segment k carries sequence number k+1, whatever the format, so a
// sample's bytes do not depend on the format that asked for them.
package cmaf
