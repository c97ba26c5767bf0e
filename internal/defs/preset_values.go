package defs

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Value forms used inside presets: ISO 8601 durations, thumbnail times,
// sizes and frame rates.

var isoDurationRE = regexp.MustCompile(`^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

// ParseISODuration reads an ISO 8601 duration of days, hours, minutes and
// seconds ("PT2S", "PT0.5S", "PT1H30M", "P1D"). Years, months and weeks
// have no fixed length and are refused, as are negative values.
func ParseISODuration(s string) (time.Duration, error) {
	m := isoDurationRE.FindStringSubmatch(s)
	if m == nil || s == "P" || strings.HasSuffix(s, "T") {
		return 0, fmt.Errorf("%q is not an ISO 8601 duration of days, hours, minutes and seconds (e.g. PT2S, PT1M30S)", s)
	}
	var d float64
	for i, unit := range []float64{86400, 3600, 60, 1} {
		if m[i+1] == "" {
			continue
		}
		v, err := strconv.ParseFloat(m[i+1], 64)
		if err != nil {
			return 0, fmt.Errorf("%q: %w", s, err)
		}
		d += v * unit
	}
	if d > 100*365*86400 {
		return 0, fmt.Errorf("%q is too long", s)
	}
	return time.Duration(math.Round(d * float64(time.Second))), nil
}

// TimeKind says how a thumbnail time is expressed.
type TimeKind int

// Thumbnail time forms.
const (
	TimeBest     TimeKind = iota + 1 // "{Best}"
	TimeDuration                     // ISO 8601 ("PT05S")
	TimeFrame                        // frame number ("10")
	TimePercent                      // percent of the input duration ("10%")
)

// TimeSpec is a thumbnail start, step or range.
type TimeSpec struct {
	Kind    TimeKind
	D       time.Duration // TimeDuration
	Frame   int64         // TimeFrame
	Percent float64       // TimePercent, 0–100
}

// ParseTimeSpec reads "{Best}", an ISO 8601 duration, a frame number or a
// percentage.
func ParseTimeSpec(s string) (TimeSpec, error) {
	switch {
	case s == "{Best}":
		return TimeSpec{Kind: TimeBest}, nil
	case strings.HasSuffix(s, "%"):
		p, err := parsePercent(s)
		if err != nil {
			return TimeSpec{}, err
		}
		return TimeSpec{Kind: TimePercent, Percent: p}, nil
	case strings.HasPrefix(s, "P"):
		d, err := ParseISODuration(s)
		if err != nil {
			return TimeSpec{}, err
		}
		return TimeSpec{Kind: TimeDuration, D: d}, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt32 {
		return TimeSpec{}, fmt.Errorf("%q is neither {Best}, an ISO 8601 duration (PT5S), a frame number (10) nor a percentage (10%%)", s)
	}
	return TimeSpec{Kind: TimeFrame, Frame: n}, nil
}

func parsePercent(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil || math.IsNaN(v) || v < 0 || v > 100 || strings.ContainsAny(s, "eE+-") {
		return 0, fmt.Errorf("%q is not a percentage between 0%% and 100%%", s)
	}
	return v, nil
}

// Size is a width, height or offset: pixels, or percent of the input.
type Size struct {
	Px      int
	Percent float64 // > 0 when given in percent
}

// Of resolves s against the input dimension in.
func (s Size) Of(in int) int {
	if s.Percent > 0 {
		return int(math.Round(float64(in) * s.Percent / 100))
	}
	return s.Px
}

// ParseSize reads "1280" or "50%". Pixels are 0–16384 (8K is 7680 wide);
// percentages 0–100.
func ParseSize(s string) (Size, error) {
	if strings.HasSuffix(s, "%") {
		p, err := parsePercent(s)
		if err != nil {
			return Size{}, err
		}
		return Size{Percent: p}, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 16384 {
		return Size{}, fmt.Errorf("%q is not a size in pixels (0–16384) or a percentage (50%%)", s)
	}
	return Size{Px: n}, nil
}

// ParseFrameRate reads "30000/1001", "29.97" or "30" as frames per second,
// 1–240.
func ParseFrameRate(s string) (num, den int, err error) {
	bad := fmt.Errorf("%q is not a frame rate between 1 and 240 (30, 29.97 or 30000/1001)", s)
	if a, b, ok := strings.Cut(s, "/"); ok {
		n, err1 := strconv.Atoi(a)
		d, err2 := strconv.Atoi(b)
		if err1 != nil || err2 != nil || n <= 0 || d <= 0 || n > 240*d {
			return 0, 0, bad
		}
		if float64(n)/float64(d) < 1 {
			return 0, 0, bad
		}
		return n, d, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || v < 1 || v > 240 || strings.ContainsAny(s, "eE+-") {
		return 0, 0, bad
	}
	// 29.97 and friends are the NTSC rates n*1000/1001.
	for _, r := range []int{24, 30, 48, 60, 120, 240} {
		if math.Abs(v-float64(r)*1000/1001) < 0.006 {
			return r * 1000, 1001, nil
		}
	}
	if v == math.Trunc(v) {
		return int(v), 1, nil
	}
	return int(math.Round(v * 1000)), 1000, nil
}
