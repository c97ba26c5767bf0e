package dash

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager"
)

// Format is an AMS DASH output format.
type Format string

// Formats.
const (
	FormatCSF  Format = "mpd-time-csf"
	FormatCMAF Format = "mpd-time-cmaf"
)

// DASH profiles and schemes written into the MPD.
const (
	ProfileLive = "urn:mpeg:dash:profile:isoff-live:2011"
	ProfileCMAF = "urn:mpeg:dash:profile:cmaf:2019"

	schemeRole            = "urn:mpeg:dash:role:2011"
	schemeChannelConfig   = "urn:mpeg:dash:23003:3:audio_channel_configuration:2011"
	namespaceCenc         = "urn:mpeg:cenc:2013"
	namespacePlayReadyPro = "urn:microsoft:playready"
)

// Options shape an MPD.
type Options struct {
	// Format is FormatCSF (default when empty) or FormatCMAF.
	Format Format
	// MinBufferTime defaults to the presentation's target segment
	// duration.
	MinBufferTime time.Duration
	// ContentProtection, when set, returns the descriptors of the
	// AdaptationSet holding tracks (all of one type, codec family and, for
	// audio, language).
	ContentProtection func(tracks []*media.Track) []ContentProtection
}

// MPD returns the static MPD of view v.
func MPD(v *packager.View, o Options) ([]byte, error) {
	profiles := ProfileLive
	switch o.Format {
	case FormatCSF, "":
	case FormatCMAF:
		profiles += "," + ProfileCMAF
	default:
		return nil, fmt.Errorf("dash: unknown format %q", o.Format)
	}
	if o.MinBufferTime <= 0 {
		o.MinBufferTime = v.P.TargetDuration
	}
	m := &mpdXML{
		Profiles:                  profiles,
		Type:                      "static",
		MediaPresentationDuration: xsDuration(v.Duration()),
		MinBufferTime:             xsDuration(uint64(o.MinBufferTime / 100)),
		Period:                    periodXML{ID: "0", Start: "PT0S"},
	}
	var maxSeg uint64
	for _, set := range groups(v) {
		as := adaptationSet(v, set, len(m.Period.AdaptationSets)+1)
		if as == nil {
			continue // every track of the set ends before the window
		}
		if o.ContentProtection != nil {
			as.ContentProtection = o.ContentProtection(set)
		}
		for _, cp := range as.ContentProtection {
			if cp.DefaultKID != "" || cp.Pssh != "" {
				m.XMLNSCenc = namespaceCenc
			}
			if cp.Pro != "" {
				m.XMLNSMspr = namespacePlayReadyPro
			}
		}
		for _, t := range set {
			lo, hi := v.Window(t)
			for _, s := range t.Segments[lo:hi] {
				maxSeg = max(maxSeg, t.ToHNS(s.Dur))
			}
		}
		m.Period.AdaptationSets = append(m.Period.AdaptationSets, as)
	}
	if len(m.Period.AdaptationSets) == 0 {
		return nil, fmt.Errorf("%w: no track has segments in the view", ErrNotFound)
	}
	m.MaxSegmentDuration = xsDuration(maxSeg)
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", " ")
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("dash: encode mpd: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// groups splits the view's tracks into AdaptationSets: one per video codec
// family, one per audio (language, codec), in presentation order.
func groups(v *packager.View) [][]*media.Track {
	var keys []string
	sets := map[string][]*media.Track{}
	for _, t := range v.Tracks {
		var k string
		if t.Kind == media.Video {
			k = "v\x00" + family(t)
		} else {
			k = "a\x00" + t.Language + "\x00" + t.Codec
		}
		if _, ok := sets[k]; !ok {
			keys = append(keys, k)
		}
		sets[k] = append(sets[k], t)
	}
	out := make([][]*media.Track, len(keys))
	for i, k := range keys {
		out[i] = sets[k]
	}
	return out
}

// family names a video codec independently of its sample entry and
// profile: avc1/avc3 are one family, hvc1/hev1 another.
func family(t *media.Track) string {
	switch t.FourCC {
	case "avc1", "avc3":
		return "avc"
	case "hvc1", "hev1":
		return "hevc"
	}
	return t.FourCC
}

func adaptationSet(v *packager.View, set []*media.Track, id int) *adaptationSetXML {
	t0 := set[0]
	as := &adaptationSetXML{ID: id, SegmentAlignment: true, StartWithSAP: 1}
	if t0.Kind == media.Video {
		as.ContentType, as.MimeType = "video", "video/mp4"
	} else {
		as.ContentType, as.MimeType = "audio", "audio/mp4"
		as.Lang = t0.Language
		role := "alternate"
		if audio := v.Audio(); len(audio) > 0 && audio[0].Language == t0.Language {
			role = "main"
		}
		as.Role = &descriptorXML{SchemeIDURI: schemeRole, Value: role}
	}
	var maxRate float64
	var templates []*segmentTemplateXML
	ids := map[string]bool{}
	for _, t := range set {
		st := template(v, t)
		if st == nil {
			continue
		}
		r := &representationXML{
			ID:              repID(t, ids),
			Bandwidth:       t.Bitrate,
			Codecs:          t.Codec,
			SegmentTemplate: st,
		}
		if t.Kind == media.Video {
			r.Width, r.Height = t.Width, t.Height
			as.MaxWidth, as.MaxHeight = max(as.MaxWidth, t.Width), max(as.MaxHeight, t.Height)
			if fr := frameRate(t); fr != "" {
				r.FrameRate = fr
				if t.FrameRate() > maxRate {
					maxRate, as.MaxFrameRate = t.FrameRate(), fr
				}
			}
		} else {
			r.AudioSamplingRate = t.SampleRate
			r.AudioChannelConfiguration = &descriptorXML{SchemeIDURI: schemeChannelConfig, Value: fmt.Sprint(channelConfig(t.Channels))}
		}
		as.Representations = append(as.Representations, r)
		templates = append(templates, st)
	}
	if len(as.Representations) == 0 {
		return nil
	}
	// One template serves the whole set when every Representation has the
	// same one ($Bandwidth$ tells them apart), as AMS writes it.
	if sameTemplates(templates) {
		as.SegmentTemplate = templates[0]
		for _, r := range as.Representations {
			r.SegmentTemplate = nil
		}
	}
	if as.MaxFrameRate != "" && len(as.Representations) == 1 {
		as.MaxFrameRate = ""
	}
	return as
}

// template returns t's SegmentTemplate for the view's window, or nil when
// no segment of t is inside it.
func template(v *packager.View, t *media.Track) *segmentTemplateXML {
	lo, hi := v.Window(t)
	if lo >= hi {
		return nil
	}
	name := strings.ReplaceAll(t.Name, "$", "$$")
	suffix := strings.ReplaceAll(v.Suffix, "$", "$$")
	return &segmentTemplateXML{
		Timescale:              t.Timescale,
		PresentationTimeOffset: t.Segments[lo].Start,
		Initialization:         "QualityLevels($Bandwidth$)/Fragments(" + name + "=i" + suffix + ")",
		Media:                  "QualityLevels($Bandwidth$)/Fragments(" + name + "=$Time$" + suffix + ")",
		Timeline:               timeline(t.Segments[lo:hi]),
	}
}

// timeline compresses segments into S elements: t on the first and after
// any gap, r for runs of equal durations.
func timeline(segs []media.Segment) []sXML {
	var out []sXML
	var end uint64
	for i, s := range segs {
		if i > 0 && s.Start == end {
			if last := &out[len(out)-1]; last.D == s.Dur {
				last.R++
				end += s.Dur
				continue
			}
			out = append(out, sXML{D: s.Dur})
		} else {
			start := s.Start
			out = append(out, sXML{T: &start, D: s.Dur})
		}
		end = s.Start + s.Dur
	}
	return out
}

func sameTemplates(ts []*segmentTemplateXML) bool {
	for _, t := range ts[1:] {
		a, b := ts[0], t
		if a.Timescale != b.Timescale || a.PresentationTimeOffset != b.PresentationTimeOffset ||
			a.Initialization != b.Initialization || a.Media != b.Media || len(a.Timeline) != len(b.Timeline) {
			return false
		}
		for i := range a.Timeline {
			x, y := a.Timeline[i], b.Timeline[i]
			if x.D != y.D || x.R != y.R || (x.T == nil) != (y.T == nil) || (x.T != nil && *x.T != *y.T) {
				return false
			}
		}
	}
	return true
}

// repID makes a Representation id from the track's name and bitrate,
// limited to characters safe in ids and URLs.
func repID(t *media.Track, seen map[string]bool) string {
	id := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
			return r
		}
		return '_'
	}, fmt.Sprintf("%s_%d", t.Name, t.Bitrate))
	for base, n := id, 2; seen[id]; n++ {
		id = fmt.Sprintf("%s_%d", base, n)
	}
	seen[id] = true
	return id
}

func frameRate(t *media.Track) string {
	switch {
	case t.FrameRateNum == 0 || t.FrameRateDen == 0:
		return ""
	case t.FrameRateDen == 1:
		return fmt.Sprint(t.FrameRateNum)
	}
	return fmt.Sprintf("%d/%d", t.FrameRateNum, t.FrameRateDen)
}

// channelConfig maps a channel count to the ISO/IEC 23001-8
// ChannelConfiguration value the 23003:3 scheme carries.
func channelConfig(n int) int {
	if n == 8 {
		return 7 // 7.1
	}
	return n
}

// xsDuration formats an HNS duration as xs:duration.
func xsDuration(hns uint64) string {
	h := hns / (3600 * media.HNS)
	m := hns / (60 * media.HNS) % 60
	s := hns % (60 * media.HNS)
	var b strings.Builder
	b.WriteString("PT")
	if h > 0 {
		fmt.Fprintf(&b, "%dH", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dM", m)
	}
	if s > 0 || (h == 0 && m == 0) {
		fmt.Fprintf(&b, "%d", s/media.HNS)
		if frac := s % media.HNS; frac > 0 {
			b.WriteString(strings.TrimRight(fmt.Sprintf(".%07d", frac), "0"))
		}
		b.WriteByte('S')
	}
	return b.String()
}
