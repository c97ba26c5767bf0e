package origin

import (
	"context"
	"errors"
	"net/http"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/lockstream/lockstream/internal/cmaf"
	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager"
	"github.com/lockstream/lockstream/internal/packager/dash"
	"github.com/lockstream/lockstream/internal/packager/hls"
	"github.com/lockstream/lockstream/internal/packager/smooth"
	"github.com/lockstream/lockstream/internal/protect"
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
func (s *Server) produce(ctx context.Context, src media.Source, req *streamurl.Request, v *packager.View, enc *protect.Protection, key string) (*output, error) {
	if err := enc.Supports(req.Format); err != nil {
		return nil, protectError(err)
	}
	switch req.Kind {
	case streamurl.KindManifest:
		return manifest(req, v, enc)
	case streamurl.KindPlaylist:
		t, err := track(req, v)
		if err != nil {
			return nil, err
		}
		if req.Format.Protocol() != "Hls" {
			return nil, mpe(http.StatusBadRequest, "MPE_BAD_URL_SYNTAX", "media playlists exist only for HLS formats")
		}
		o := hls.MediaOptions{Format: hlsFormat(req.Format), Keyframes: req.Keyframes, AudioTrack: req.AudioTrack}
		if enc != nil {
			if req.Keyframes && !enc.IFrames(req.Format) {
				return nil, mpe(http.StatusNotFound, codeTrackNotFound, "no I-frame playlist for this format under encryption")
			}
			k, err := enc.Key(t)
			if err != nil {
				return nil, protectError(err)
			}
			if k != nil {
				if o.Keys, err = enc.Signal.HLSKeys([]*protect.ContentKey{k}, req.Format); err != nil {
					return nil, err
				}
			}
		}
		b, err := hls.MediaPlaylist(v, t, o)
		return &output{body: b, contentType: ctM3U8, manifest: true}, packagerError(err)
	case streamurl.KindFragment:
		return s.fragment(ctx, src, req, v, enc, key)
	}
	return nil, mpe(http.StatusBadRequest, "MPE_BAD_URL_SYNTAX", "unsupported request")
}

func manifest(req *streamurl.Request, v *packager.View, enc *protect.Protection) (*output, error) {
	var ks []*protect.ContentKey
	if enc != nil {
		var err error
		if ks, err = enc.KeysOf(v.Tracks); err != nil {
			return nil, protectError(err)
		}
	}
	switch req.Format {
	case streamurl.FormatHLS, streamurl.FormatHLSv3, streamurl.FormatHLSCMAF:
		o := hls.MasterOptions{Format: hlsFormat(req.Format), AudioOnlyFalse: req.AudioOnlyFalse}
		if enc != nil {
			var err error
			if o.Keys, err = enc.Signal.HLSKeys(ks, req.Format); err != nil {
				return nil, err
			}
			o.NoIFrames = !enc.IFrames(req.Format)
		}
		b, err := hls.Master(v, o)
		return &output{body: b, contentType: ctM3U8, manifest: true}, packagerError(err)
	case streamurl.FormatDASHCSF, streamurl.FormatDASHCMAF:
		o := dash.Options{Format: dash.FormatCSF}
		if req.Format == streamurl.FormatDASHCMAF {
			o.Format = dash.FormatCMAF
		}
		var cpErr error
		if enc != nil {
			o.ContentProtection = func(tracks []*media.Track) []dash.ContentProtection {
				k, err := enc.Key(tracks[0])
				if err != nil || k == nil {
					cpErr = errors.Join(cpErr, protectError(err))
					return nil
				}
				cps, err := enc.Signal.DASH(k)
				cpErr = errors.Join(cpErr, err)
				return cps
			}
		}
		b, err := dash.MPD(v, o)
		if cpErr != nil {
			return nil, cpErr
		}
		return &output{body: b, contentType: ctMPD, manifest: true}, packagerError(err)
	default:
		o := smoothOptions(req.Format)
		if enc != nil {
			var err error
			if o.Protection, err = enc.Signal.Smooth(ks); err != nil {
				return nil, err
			}
		}
		b, err := smooth.Manifest(v, o)
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

// fragment builds an init or media segment; key names every input of
// its bytes (the ETag).
func (s *Server) fragment(ctx context.Context, src media.Source, req *streamurl.Request, v *packager.View, enc *protect.Protection, key string) (*output, error) {
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
		plain := dash.Init
		if req.Format == streamurl.FormatHLSCMAF {
			plain = hls.CMAFInit
		}
		b, err := enc.Init(t, plain)
		return &output{body: b, contentType: ct}, packagerError(protectError(err))
	}
	if req.Keyframes && req.Format == streamurl.FormatHLSCMAF {
		// CMAF I-frame playlists name each sync sample by its own decode
		// time, usually mid-segment, so the segment lookup does not apply.
		if t.Kind != media.Video {
			return nil, mpe(http.StatusNotFound, codeTrackNotFound, "track %q has no keyframes", t.Name)
		}
		if !enc.IFrames(req.Format) {
			return nil, mpe(http.StatusNotFound, codeTrackNotFound, "no I-frame fragments for this format under encryption")
		}
		f, i, err := hls.CMAFKeyframeFragment(ctx, src, v, t, req.Time)
		if err != nil {
			return nil, packagerError(err)
		}
		if err := enc.EncryptFragment(t, f, i); err != nil {
			return nil, protectError(err)
		}
		b, err := cmaf.FragmentBytes(f, true)
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
		out, tsErr := s.tsSegment(ctx, src, v, video, k, audio, t, enc)
		if tsErr != nil {
			return nil, packagerError(protectError(tsErr))
		}
		out.contentType = ctTS
		return out, nil
	default:
		build, styp := dash.MediaSegment, true
		switch req.Format {
		case streamurl.FormatHLSCMAF:
			build = hls.CMAFMediaSegment
		case streamurl.FormatDASHCSF, streamurl.FormatDASHCMAF:
		default:
			build, styp = smooth.MediaSegment, false
		}
		if !s.materialise && !enc.SealsSegments() {
			st, err := s.streamSegment(ctx, src, v, t, k, enc, build, styp, key)
			if err != nil {
				return nil, packagerError(protectError(err))
			}
			return &output{stream: st, contentType: ct}, nil
		}
		b, err = enc.Segment(ctx, t, k, func() (*media.SegmentData, *mp4.Fragment, error) { return build(ctx, src, v, t, k) }, styp)
		if err == nil {
			b, err = enc.SealSegment(t, b, k)
		}
	}
	if err != nil {
		return nil, packagerError(protectError(err))
	}
	return &output{body: b, contentType: ct}, nil
}

// segmentBuilder builds fMP4 media segment k of t in a view (the format
// packages' MediaSegment functions).
type segmentBuilder func(ctx context.Context, src media.Source, v *packager.View, t *media.Track, k int) (*media.SegmentData, *mp4.Fragment, error)

// streamSegment returns fMP4 media segment k of t as a stream that reads,
// encrypts and writes its samples in bounded chunks. Its skeleton
// (headers from the sample tables, encryption plan) is built once per
// segment and kept under key, which names every input of the bytes (the
// ETag's).
func (s *Server) streamSegment(ctx context.Context, src media.Source, v *packager.View, t *media.Track, k int, enc *protect.Protection, build segmentBuilder, styp bool, key string) (*segmentStream, error) {
	now := s.now()
	sk, ok := s.skeletons.Get(key, now)
	if !ok {
		d, f, err := build(ctx, layoutSource{src}, v, t, k)
		if err != nil {
			return nil, err
		}
		plan, err := enc.Plan(t, f, t.Segments[k].First)
		if err != nil {
			return nil, err
		}
		if sk, err = newSkeleton(ctx, src, d, f, plan, styp, &s.samples); err != nil {
			return nil, err
		}
		s.skeletons.Put(key, sk, now)
	}
	return sk.stream(ctx, src, &s.samples, s.streamChunk), nil
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

// tsSegment returns TS segment k of the playlist track pt (video, audio
// or both muxed), sealed whole for AES-128 or with Apple SAMPLE-AES for
// cbcs, under pt's key. Clear and AES-128 segments are streamed: muxed a
// bounded chunk at a time as they are written (hls.TSStream). Segments
// planned from their sample data (SAMPLE-AES, whose re-escaped NAL units
// change size, and NAL unit lengths other than 4 bytes) are built whole
// in a recycled buffer, as are all segments when s.materialise is set.
func (s *Server) tsSegment(ctx context.Context, src media.Source, v *packager.View, video *media.Track, k int, audio, pt *media.Track, enc *protect.Protection) (*output, error) {
	var o hls.TSOptions
	key, sampleAES, iv, err := enc.TSEncryption(pt)
	switch {
	case err != nil:
		return nil, protectError(err)
	case key == nil:
	case sampleAES:
		o.Encryption = hls.TSEncryption{Method: hls.TSSampleAES, Cipher: key.Cipher, IV: iv}
	default:
		o.Encryption = hls.TSEncryption{Method: hls.TSAES128, Cipher: key.Cipher}
	}
	if !s.materialise && hls.TSStreamable(video, o) {
		st, err := hls.NewTSStream(ctx, src, v, video, k, audio, o, s.streamChunk)
		if err != nil {
			return nil, err
		}
		return &output{stream: st}, nil
	}
	rs, ok := src.(*requestSource)
	if !ok {
		b, err := hls.TSSegmentWith(ctx, src, v, video, k, audio, o)
		return &output{body: b}, err
	}
	// Mux into a recycled buffer; a grown one is recycled too.
	buf := rs.SegmentBuffer(0)
	b, err := hls.AppendTSSegmentWith(ctx, buf, src, v, video, k, audio, o)
	if err != nil {
		return nil, err
	}
	if cap(b) != cap(buf) {
		rs.out = append(rs.out, b)
	}
	return &output{body: b}, nil
}
