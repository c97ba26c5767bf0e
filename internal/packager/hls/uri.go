package hls

import (
	"strconv"

	"github.com/lockstream/lockstream/internal/media"
)

// URIs follow the AMS grammar (ams-v3-api.md §9.2). Media playlist URIs
// are relative to the multivariant playlist (…/name.ism/manifest(…)),
// segment URIs relative to their media playlist, so both resolve to
// …/name.ism/QualityLevels(b)/….

// playlistURI is QualityLevels(<bitrate>)/Manifest(<name><suffix><extra>).
func playlistURI(t *media.Track, suffix, extra string) string {
	return "QualityLevels(" + strconv.FormatUint(t.Bitrate, 10) + ")/Manifest(" + t.Name + suffix + extra + ")"
}

// fragmentURI is Fragments(<name>=<at><suffix><extra>).
func fragmentURI(t *media.Track, at, suffix, extra string) string {
	return "Fragments(" + t.Name + "=" + at + suffix + extra + ")"
}

func audioTrackArg(a *media.Track) string {
	if a == nil {
		return ""
	}
	return ",audiotrack=" + a.Name
}

const keyframesArg = ",type=keyframes"
