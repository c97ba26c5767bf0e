package encode

import (
	"math"
	"slices"
)

// rung is one layer of a built-in ladder: a bounding box and a bitrate
// in kbps (for 29.97 fps, before scaling).
type rung struct {
	w, h int
	kbps int
}

// Fixed ladders of the H264MultipleBitrate presets (encoding-and-events.md
// §1.1), the layers Media Encoder Standard produced.
var (
	ladder1080p = []rung{{1920, 1080, 6000}, {1920, 1080, 4700}, {1280, 720, 3400}, {960, 540, 2250}, {960, 540, 1500}, {640, 360, 1000}, {640, 360, 650}, {320, 180, 400}}
	ladder720p  = []rung{{1280, 720, 3400}, {960, 540, 2250}, {960, 540, 1500}, {640, 360, 1000}, {640, 360, 650}, {320, 180, 400}}
	ladderSD    = []rung{{848, 480, 1900}, {848, 480, 1300}, {640, 360, 900}, {640, 360, 650}, {432, 240, 400}}
)

// adaptiveRungs are the AdaptiveStreaming rungs for a 29.97 fps source
// (§1.2, the documented 1080p result).
var adaptiveRungs = []rung{{1920, 1080, 6780}, {1280, 720, 3520}, {960, 540, 2210}, {640, 360, 1150}, {480, 270, 720}, {320, 180, 380}}

// fpsScale scales a 29.97 fps bitrate to fps: AMS's documented ladders
// give 0.835 for 23.976 fps, which is (fps/29.97)^0.8.
func fpsScale(fps float64) float64 {
	if fps <= 0 {
		return 1
	}
	return math.Pow(min(fps, 60)/29.97, 0.8)
}

// adaptiveLadder chooses the AdaptiveStreaming layers for a source of
// height h (display), frame rate fps and video bitrate bps (0 unknown):
// rungs no taller than the source, bitrates scaled with the frame rate and
// the whole ladder scaled down so the top rung stays below the source
// bitrate (a 360p source at 800 kbps gets 700/440/230, as documented).
func adaptiveLadder(h int, fps float64, bps int64) []rung {
	var out []rung
	for _, r := range adaptiveRungs {
		// 8 % slack: a 1072-line source still gets its 1080-line box.
		if float64(r.h) <= float64(h)*1.08 {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		// Smaller than 180 lines: one layer at the source size.
		out = []rung{{h * 16 / 9, h, 200}}
	}
	scale := fpsScale(fps)
	if bps > 0 {
		ceiling := 0.875 * float64(bps) / 1000
		if top := float64(out[0].kbps) * scale; top > ceiling {
			scale *= ceiling / top
		}
	}
	for i := range out {
		out[i].kbps = max(int(math.Round(float64(out[i].kbps)*scale)), 50)
	}
	return out
}

// caeLimits are the PresetConfigurations of a content-aware preset.
type caeLimits struct {
	minKbps, maxKbps int
	minH, maxH       int
	maxLayers        int
}

// caeLadder chooses a content-aware ladder from the source height and
// the complexity probe: probeKbps is the bitrate a fixed-quality encode of
// the content at 640x360 needed (see Encoder.complexity). The top rung
// gets that quality at full size — bitrate grows with pixel count to the
// 0.75 power — and rungs step down by at least 1.6× in bitrate, so simple
// content gets fewer, cheaper layers and busy content more, dearer ones.
func caeLadder(h int, probeKbps float64, lim caeLimits) []rung {
	const refPixels = 640 * 360
	if lim.maxH == 0 {
		lim.maxH = 2160
	}
	if lim.maxLayers == 0 {
		lim.maxLayers = 6
	}
	heights := []int{2160, 1440, 1080, 720, 540, 360, 270, 180}
	var cands []rung
	for _, ht := range heights {
		if float64(ht) > float64(h)*1.08 || ht > lim.maxH || ht < lim.minH {
			continue
		}
		w := ht * 16 / 9
		kbps := probeKbps * math.Pow(float64(w*ht)/refPixels, 0.75)
		cands = append(cands, rung{w, ht, int(math.Round(kbps))})
	}
	if len(cands) == 0 {
		ht := min(h, lim.maxH)
		cands = []rung{{ht * 16 / 9, ht, int(probeKbps)}}
	}
	for i := range cands {
		k := cands[i].kbps
		k = max(k, 100)
		if lim.maxKbps > 0 {
			k = min(k, lim.maxKbps)
		}
		cands[i].kbps = k
	}
	// Keep rungs at least 1.6x apart; honour the floor.
	var out []rung
	for _, r := range cands {
		if lim.minKbps > 0 && r.kbps < lim.minKbps {
			continue
		}
		if len(out) > 0 && float64(out[len(out)-1].kbps) < 1.6*float64(r.kbps) {
			continue
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		r := cands[len(cands)-1]
		r.kbps = max(r.kbps, lim.minKbps)
		out = []rung{r}
	}
	if lim.maxLayers == 1 {
		out = out[:1]
	} else if len(out) > lim.maxLayers {
		// Keep the top and spread the rest evenly down to the bottom.
		keep := []rung{out[0]}
		n := lim.maxLayers
		for i := 1; i < n; i++ {
			keep = append(keep, out[i*(len(out)-1)/(n-1)])
		}
		out = slices.CompactFunc(keep, func(a, b rung) bool { return a == b })
	}
	return out
}
