package defs

import (
	"testing"
	"time"
)

func TestParseISODuration(t *testing.T) {
	for s, want := range map[string]time.Duration{
		"PT2S": 2 * time.Second, "PT0.5S": 500 * time.Millisecond, "PT05S": 5 * time.Second,
		"PT1M30S": 90 * time.Second, "PT1H": time.Hour, "P1D": 24 * time.Hour, "P1DT1S": 24*time.Hour + time.Second,
	} {
		got, err := ParseISODuration(s)
		if err != nil || got != want {
			t.Errorf("%s: %v %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "P", "PT", "2S", "PT-1S", "P1Y", "P1M", "P1W", "PT1.S", "pt2s", "PT2S ", "P99999999D"} {
		if d, err := ParseISODuration(s); err == nil {
			t.Errorf("%q accepted as %v", s, d)
		}
	}
}

func TestParseTimeSpec(t *testing.T) {
	for s, want := range map[string]TimeSpec{
		"{Best}": {Kind: TimeBest}, "PT5S": {Kind: TimeDuration, D: 5 * time.Second},
		"10": {Kind: TimeFrame, Frame: 10}, "0": {Kind: TimeFrame}, "12.5%": {Kind: TimePercent, Percent: 12.5},
	} {
		got, err := ParseTimeSpec(s)
		if err != nil || got != want {
			t.Errorf("%s: %+v %v", s, got, err)
		}
	}
	for _, s := range []string{"", "{best}", "-1", "101%", "%", "1e2%", "ten", "NaN%"} {
		if v, err := ParseTimeSpec(s); err == nil {
			t.Errorf("%q accepted as %+v", s, v)
		}
	}
}

func TestParseSizeAndFrameRate(t *testing.T) {
	if s, err := ParseSize("50%"); err != nil || s.Of(1281) != 641 {
		t.Errorf("50%%: %+v %v", s, err)
	}
	if s, err := ParseSize("1280"); err != nil || s.Of(640) != 1280 {
		t.Errorf("1280: %+v %v", s, err)
	}
	for _, s := range []string{"-4", "1280px", "20000", "", "50 %"} {
		if v, err := ParseSize(s); err == nil {
			t.Errorf("size %q accepted as %+v", s, v)
		}
	}
	for s, want := range map[string][2]int{"30": {30, 1}, "29.97": {30000, 1001}, "30000/1001": {30000, 1001}, "23.976": {24000, 1001}, "12.5": {12500, 1000}} {
		n, d, err := ParseFrameRate(s)
		if err != nil || n != want[0] || d != want[1] {
			t.Errorf("%s: %d/%d %v", s, n, d, err)
		}
	}
	for _, s := range []string{"0", "1/0", "0.5", "241", "30/0", "abc", "-30", "1e2"} {
		if n, d, err := ParseFrameRate(s); err == nil {
			t.Errorf("frame rate %q accepted as %d/%d", s, n, d)
		}
	}
}
