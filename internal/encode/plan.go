package encode

import (
	stdcmp "cmp"
	"fmt"
	"math"
	"time"

	"github.com/lockstream/lockstream/internal/defs"
)

// plan is what one ffmpeg run makes: encoded (or copied) video and audio
// streams, the files they are muxed into, and thumbnail series. It is
// derived from a Preset and the probed source by resolve, and turned into
// an argument list by args.
type plan struct {
	videos []*videoOut
	audios []*audioOut
	thumbs []*thumbOut
	files  []*fileOut

	// builtin names the files after measured bitrates, as AMS's built-in
	// presets did; custom presets use the requested ones.
	builtin bool
	// gop is the keyframe interval; segments of the output are cut on it.
	gop time.Duration
	// srcW, srcH is the picture size entering the layer scalers (after
	// rotation and crop); 0 without video.
	srcW, srcH int
	filters    *defs.Filters
	// rotate is the explicit rotation in degrees (Rotate90 …), -1 to keep
	// ffmpeg's automatic rotation.
	rotate int
	crop   *cropBox
	// deinterlace is the yadif parity (-1 auto, 0 tff, 1 bff) or nil.
	deinterlace *int
	// seq lists the main inputs when there are several (a sequence);
	// they are joined into one picture of seqW x seqH.
	seq        []seqInput
	seqW, seqH int
	// speed is the encoder speed preset ("veryfast", "medium", …) per
	// codec, from complexity; Encoder.Speed overrides it.
	speed map[string]string
}

type cropBox struct{ x, y, w, h int }

// videoOut is one encoded video layer.
type videoOut struct {
	label    string
	codec    string // "h264", "hevc" or "copy"
	src      int    // source video stream (relative index) for copy
	w, h     int    // encoded picture size
	padW     int    // AutoFit: picture padded to padW x padH; 0 none
	padH     int
	bitrate  int // bps
	maxrate  int
	bufsize  int
	rc       string // ABR, CBR, CRF
	crf      float64
	profile  string
	level    string
	bframes  int // -1: encoder default
	refs     int
	slices   int
	cavlc    bool
	adaptB   *bool
	fpsNum   int // 0: the source's
	fpsDen   int
	sceneCut bool
	vfr      bool // syncMode Passthrough/Vfr
	gop      time.Duration
	speed    string
}

// audioOut is one encoded audio stream.
type audioOut struct {
	label    string
	codec    string // "aac" or "copy"
	src      int    // source audio stream (relative index)
	bitrate  int
	channels int
	rate     int
	lang     string // the source stream's language, kept in the output
}

// thumbOut is one series of thumbnails at one size.
type thumbOut struct {
	label   string
	png     bool
	w, h    int
	quality int // JPEG 0–100
	pattern string
	best    bool          // one image: the most representative frame of the first seconds
	start   time.Duration // first image
	step    time.Duration
	count   int // images wanted
}

// fileOut is one media output file.
type fileOut struct {
	ts      bool // MPEG-TS instead of MP4
	pattern string
	videos  []int // indexes into plan.videos
	audios  []int // indexes into plan.audios
	tmp     string
}

// source is the probed main input as the planner sees it.
type source struct {
	info     *SourceInfo
	duration time.Duration // after clipping
}

func (s source) video() *StreamInfo {
	if len(s.info.Video) == 0 {
		return nil
	}
	return &s.info.Video[0]
}

// fps returns the source frame rate, 30 when unknown (still images).
func (s source) fps() (num, den int) {
	if v := s.video(); v != nil && v.FPSNum > 0 {
		return v.FPSNum, v.FPSDen
	}
	return 30, 1
}

// layerSize computes an encoded size from the requested width and height
// (either may be empty: the other follows the aspect ratio) and the
// stretch mode, for a picture of srcW x srcH. Sizes are rounded to even
// numbers, which 4:2:0 needs.
func layerSize(srcW, srcH int, width, height, stretch string) (w, h, padW, padH int, err error) {
	var wantW, wantH int
	if width != "" {
		s, err := defs.ParseSize(width)
		if err != nil {
			return 0, 0, 0, 0, err
		}
		wantW = s.Of(srcW)
	}
	if height != "" {
		s, err := defs.ParseSize(height)
		if err != nil {
			return 0, 0, 0, 0, err
		}
		wantH = s.Of(srcH)
	}
	ar := float64(srcW) / float64(srcH)
	switch {
	case wantW == 0 && wantH == 0:
		w, h = srcW, srcH
	case wantW == 0:
		w, h = int(math.Round(float64(wantH)*ar)), wantH
	case wantH == 0:
		w, h = wantW, int(math.Round(float64(wantW)/ar))
	default:
		switch stretch {
		case "None":
			w, h = wantW, wantH
		case "AutoFit":
			padW, padH = even(wantW), even(wantH)
			fallthrough
		default: // AutoSize: fit inside the box, keep the aspect ratio
			if float64(wantW)/float64(wantH) > ar {
				w, h = int(math.Round(float64(wantH)*ar)), wantH
			} else {
				w, h = wantW, int(math.Round(float64(wantW)/ar))
			}
		}
	}
	w, h = even(w), even(h)
	if w < 16 || h < 16 || w > 16384 || h > 16384 {
		return 0, 0, 0, 0, fmt.Errorf("layer size %dx%d is outside 16–16384 pixels", w, h)
	}
	return w, h, padW, padH, nil
}

func even(n int) int {
	n = (n + 1) &^ 1
	return max(n, 2)
}

// timeOf converts a thumbnail time to a position in the source. rel is
// the length percentages refer to.
func timeOf(t defs.TimeSpec, dur time.Duration, fpsNum, fpsDen int) time.Duration {
	switch t.Kind {
	case defs.TimeDuration:
		return t.D
	case defs.TimeFrame:
		return time.Duration(float64(t.Frame) * float64(fpsDen) / float64(fpsNum) * float64(time.Second))
	case defs.TimePercent:
		return time.Duration(float64(dur) * t.Percent / 100)
	}
	return 0
}

// thumbSchedule turns start/step/range into a first time, a step and a
// count of images over a source of duration dur (AMS defaults: step 10 %,
// range 100 %; range "1" as a frame count means one image).
func thumbSchedule(c *defs.Codec, dur time.Duration, fpsNum, fpsDen int) (best bool, start, step time.Duration, count int, err error) {
	st, err := defs.ParseTimeSpec(c.Start)
	if err != nil {
		return false, 0, 0, 0, err
	}
	if st.Kind == defs.TimeBest {
		return true, 0, 0, 1, nil
	}
	start = timeOf(st, dur, fpsNum, fpsDen)
	stepSpec := defs.TimeSpec{Kind: defs.TimePercent, Percent: 10}
	if c.Step != "" {
		if stepSpec, err = defs.ParseTimeSpec(c.Step); err != nil {
			return false, 0, 0, 0, err
		}
	}
	rangeSpec := defs.TimeSpec{Kind: defs.TimePercent, Percent: 100}
	if c.Range != "" {
		if rangeSpec, err = defs.ParseTimeSpec(c.Range); err != nil {
			return false, 0, 0, 0, err
		}
	}
	if start >= dur {
		return false, 0, 0, 0, fmt.Errorf("thumbnail start %s is past the end of the input (%s)", c.Start, dur.Round(time.Millisecond))
	}
	step = max(timeOf(stepSpec, dur, fpsNum, fpsDen), time.Millisecond)
	if rangeSpec.Kind == defs.TimeFrame && rangeSpec.Frame <= 1 {
		return false, start, step, 1, nil
	}
	end := min(start+timeOf(rangeSpec, dur, fpsNum, fpsDen), dur)
	// Images at start, start+step, … strictly before the end; the last
	// frame of the input sits one frame before dur.
	frame := time.Duration(float64(time.Second) * float64(fpsDen) / float64(fpsNum))
	last := min(end, dur-frame)
	count = 1
	if last > start {
		count = int((last-start)/step) + 1
	}
	return false, start, step, min(count, 10000), nil
}

// bitrateKbps is the {Bitrate} value of a file: its video layer's
// (requested or measured) bitrate, else its audio's.
func kbps(bps int) int { return bps / 1000 }

func orDefault[T comparable](v *T, def T) T {
	if v == nil {
		return def
	}
	return *v
}

func firstNonEmpty(s ...string) string { return stdcmp.Or(s...) }
