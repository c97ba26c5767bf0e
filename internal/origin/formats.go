package origin

import (
	"context"
	"errors"
	"net/http"

	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager"
	"github.com/lockstream/lockstream/internal/packager/dash"
	"github.com/lockstream/lockstream/internal/packager/hls"
	"github.com/lockstream/lockstream/internal/packager/smooth"
	"github.com/lockstream/lockstream/internal/streamurl"
)

// Content types per output.
const (
	ctM3U8   = "application/vnd.apple.mpegurl"
	ctMPD    = "application/dash+xml"
	ctSmooth = "text/xml; charset=utf-8"
	ctTS     = "video/mp2t"
	ctVideo  = "video/mp4"
	ctAudio  = "audio/mp4"
)

// produce builds the response body of a manifest, playlist or fragment.
func (s *Server) produce(ctx context.Context, src media.Source, req *streamurl.Request, v *packager.View) (*output, error) {
	switch req.Kind {
	case streamurl.KindManifest:
		return manifest(req, v)
	case streamurl.KindPlaylist:
		t, err := track(req, v)
		if err != nil {
			return nil, err
		}
		if req.Format.Protocol() != "Hls" {
			return nil, mpe(http.StatusBadRequest, "MPE_BAD_URL_SYNTAX", "media playlists exist only for HLS formats")
		}
		b, err := hls.MediaPlaylist(v, t, hls.MediaOptions{Format: hlsFormat(req.Format), Keyframes: req.Keyframes, AudioTrack: req.AudioTrack})
		return &output{body: b, contentType: ctM3U8, manifest: true}, packagerError(err)
	case streamurl.KindFragment:
		return s.fragment(ctx, src, req, v)
	}
	return nil, mpe(http.StatusBadRequest, "MPE_BAD_URL_SYNTAX", "unsupported request")
}

func manifest(req *streamurl.Request, v *packager.View) (*output, error) {
	switch req.Format {
	case streamurl.FormatHLS, streamurl.FormatHLSv3, streamurl.FormatHLSCMAF:
		b, err := hls.Master(v, hls.MasterOptions{Format: hlsFormat(req.Format), AudioOnlyFalse: req.AudioOnlyFalse})
		return &output{body: b, contentType: ctM3U8, manifest: true}, packagerError(err)
	case streamurl.FormatDASHCSF, streamurl.FormatDASHCMAF:
		f := dash.FormatCSF
		if req.Format == streamurl.FormatDASHCMAF {
			f = dash.FormatCMAF
		}
		b, err := dash.MPD(v, dash.Options{Format: f})
		return &output{body: b, contentType: ctMPD, manifest: true}, packagerError(err)
	default:
		b, err := smooth.Manifest(v, smoothOptions(req.Format))
		return &output{body: b, contentType: ctSmooth, manifest: true}, packagerError(err)
	}
}

func hlsFormat(f streamurl.Format) hls.Format {
	switch f {
	case streamurl.FormatHLSv3:
		return hls.TSv3
	case streamurl.FormatHLSCMAF:
		return hls.CMAF
	}
	return hls.TS
}

// track finds the URL's track (by name and QualityLevels bitrate) in the
// view; a track a filter removed does not exist for this request.
func track(req *streamurl.Request, v *packager.View) (*media.Track, error) {
	t := v.P.Find(req.Track, req.Bitrate)
	if t == nil || !v.Has(t) {
		return nil, mpe(http.StatusNotFound, codeTrackNotFound, "no track %q at bitrate %d", req.Track, req.Bitrate)
	}
	return t, nil
}

func (s *Server) fragment(ctx context.Context, src media.Source, req *streamurl.Request, v *packager.View) (*output, error) {
	t, err := track(req, v)
	if err != nil {
		return nil, err
	}
	ct := ctVideo
	if t.Kind == media.Audio {
		ct = ctAudio
	}
	proto := req.Format.Protocol()
	if req.Init {
		if proto == "SmoothStreaming" || req.Format == streamurl.FormatHLS || req.Format == streamurl.FormatHLSv3 {
			return nil, mpe(http.StatusBadRequest, "MPE_BAD_URL_SYNTAX", "format %q has no initialization segment", req.Format)
		}
		b, err := dash.Init(t)
		return &output{body: b, contentType: ct}, packagerError(err)
	}
	if req.Keyframes && req.Format == streamurl.FormatHLSCMAF {
		// CMAF I-frame playlists name each sync sample by its own decode
		// time, usually mid-segment, so the segment lookup does not apply.
		if t.Kind != media.Video {
			return nil, mpe(http.StatusNotFound, codeTrackNotFound, "track %q has no keyframes", t.Name)
		}
		b, err := hls.CMAFKeyframe(ctx, src, v, t, req.Time)
		if err != nil {
			return nil, packagerError(err)
		}
		return &output{body: b, contentType: ct}, nil
	}
	var k int
	if proto == "SmoothStreaming" {
		k = smooth.FindSegment(t, req.Time)
	} else {
		k = t.SegmentAt(req.Time)
	}
	if k < 0 || !v.Contains(t, k) {
		return nil, mpe(http.StatusNotFound, codeTimestampNotFound, "track %q has no fragment at %d in this presentation", t.Name, req.Time)
	}
	var b []byte
	switch req.Format {
	case streamurl.FormatHLS, streamurl.FormatHLSv3:
		var video, audio *media.Track = t, nil
		if t.Kind == media.Audio {
			video, audio = nil, t
		} else if req.Format == streamurl.FormatHLSv3 || req.AudioTrack != "" {
			audio = muxedAudio(v, req.AudioTrack)
		}
		b, err = hls.TSSegment(ctx, src, v, video, k, audio)
		ct = ctTS
	case streamurl.FormatHLSCMAF:
		b, err = hls.CMAFSegment(ctx, src, v, t, k)
	case streamurl.FormatDASHCSF, streamurl.FormatDASHCMAF:
		b, err = dash.Segment(ctx, src, v, t, k)
	default:
		b, err = smooth.Fragment(ctx, src, v, t, k)
	}
	if err != nil {
		return nil, packagerError(err)
	}
	return &output{body: b, contentType: ct}, nil
}

// muxedAudio picks the audio muxed into HLS v3 segments: the named track,
// else the first audio track of the view.
func muxedAudio(v *packager.View, name string) *media.Track {
	for _, a := range v.Audio() {
		if name == "" || a.Name == name {
			return a
		}
	}
	return nil
}

// packagerError maps packager failures.
func packagerError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, hls.ErrNotFound) || errors.Is(err, dash.ErrNotFound) || errors.Is(err, smooth.ErrNotFound) {
		return mpe(http.StatusNotFound, codeTimestampNotFound, "%v", err)
	}
	return mediaError(err)
}

func smoothOptions(f streamurl.Format) smooth.Options {
	if f == streamurl.FormatSmooth20 {
		return smooth.Options{Format: smooth.FormatV20}
	}
	return smooth.Options{}
}
