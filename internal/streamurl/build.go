package streamurl

import "strconv"

// InitTime is the fragment time that names the initialisation segment.
const InitTime = "i"

// ManifestPath returns "manifest[(args)]ext", relative to the ".ism/"
// directory, for example "manifest(format=mpd-time-csf,encryption=cenc).mpd".
// ext is "" or an extension with its dot.
func ManifestPath(a Args, ext string) string {
	return "manifest" + parenArgs("", a) + ext
}

// PlaylistPath returns "QualityLevels(bitrate)/Manifest(track[,args])ext",
// relative to the ".ism/" directory: an HLS media playlist (or, with
// a.Keyframes, its I-frame playlist). bitrate is inserted verbatim (pass
// strconv.FormatUint for a value); track is escaped.
func PlaylistPath(bitrate, track string, a Args, ext string) string {
	return "QualityLevels(" + bitrate + ")/Manifest" + parenArgs(escapeSegment(track), a) + ext
}

// FragmentPath returns "QualityLevels(bitrate)/Fragments(track=time[,args])ext",
// relative to the ".ism/" directory. bitrate and time are inserted verbatim
// so that templates can be built: DASH "$Bandwidth$" and "$Time$", Smooth
// "{bitrate}" and "{start time}", or InitTime for the init segment. track is
// escaped.
func FragmentPath(bitrate, track, time string, a Args, ext string) string {
	return "QualityLevels(" + bitrate + ")/Fragments" + parenArgs(escapeSegment(track)+"="+time, a) + ext
}

// parenArgs renders "(first,args)", leaving out whichever part is empty,
// and "" when both are.
func parenArgs(first string, a Args) string {
	s := a.String()
	switch {
	case first == "" && s == "":
		return ""
	case first == "":
		return "(" + s + ")"
	case s == "":
		return "(" + first + ")"
	}
	return "(" + first + "," + s + ")"
}

// Base returns "/{locatorId}/{name}.ism/", the escaped directory that
// ManifestPath, PlaylistPath and FragmentPath are relative to. For a
// download it returns "/{locatorId}/".
func (r *Request) Base() string {
	if r.Kind == KindDownload {
		return "/" + r.LocatorID + "/"
	}
	return "/" + r.LocatorID + "/" + escapeSegment(r.Name) + ".ism/"
}

// Path returns r as a canonical escaped path. For any r returned by Parse,
// Parse(r.Path()) returns a Request equal to r.
func (r *Request) Path() string {
	switch r.Kind {
	case KindManifest:
		return r.Base() + ManifestPath(r.Args, r.Ext)
	case KindPlaylist:
		return r.Base() + PlaylistPath(strconv.FormatUint(r.Bitrate, 10), r.Track, r.Args, r.Ext)
	case KindFragment:
		t := InitTime
		if !r.Init {
			t = strconv.FormatUint(r.Time, 10)
		}
		return r.Base() + FragmentPath(strconv.FormatUint(r.Bitrate, 10), r.Track, t, r.Args, r.Ext)
	case KindDownload:
		return r.Base() + escapeFile(r.File)
	}
	return r.Base()
}

// escapeFile escapes each '/'-separated segment of a download path.
func escapeFile(f string) string {
	b := make([]byte, 0, len(f))
	start := 0
	for i := 0; i <= len(f); i++ {
		if i == len(f) || f[i] == '/' {
			b = append(b, escapeSegment(f[start:i])...)
			if i < len(f) {
				b = append(b, '/')
			}
			start = i + 1
		}
	}
	return string(b)
}
