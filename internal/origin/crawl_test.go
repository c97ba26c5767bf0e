package origin_test

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/Eyevinn/dash-mpd/mpd"
)

// TestEveryListedURLServes follows listPaths the way a player or CDN
// pre-warmer would: every manifest, every playlist it names (variants,
// audio renditions, I-frame playlists) and every segment, init segment
// and key-frame fragment those name must answer 200 with a body. It is
// the check that listPaths and the manifests only advertise URLs this
// origin serves.
func TestEveryListedURLServes(t *testing.T) {
	s := published(t)
	for _, sp := range s.ladder.StreamingPaths {
		for _, p := range sp.Paths {
			t.Run(sp.StreamingProtocol+"/"+p[strings.LastIndex(p, "/")+1:], func(t *testing.T) {
				c := &crawler{t: t, n: s.n, seen: map[string]bool{}}
				c.visit(p)
				t.Logf("%s: %d URLs", p, len(c.seen))
				must(t, len(c.seen) > 10, "only %d URLs reached from %s", len(c.seen), p)
			})
		}
	}
}

type crawler struct {
	t    *testing.T
	n    *node
	seen map[string]bool
	// get, when set, fetches instead of n; got sees every answer.
	get func(u string, hdr ...string) (*http.Response, []byte)
	got func(u string, resp *http.Response, b []byte)
}

var uriAttr = regexp.MustCompile(`URI="([^"]+)"`)

func (c *crawler) fetch(u string) []byte {
	c.t.Helper()
	get := c.get
	if get == nil {
		get = c.n.get
	}
	resp, b := get(u)
	if resp.StatusCode != 200 || len(b) == 0 {
		c.t.Fatalf("%s: %d (%d bytes) %s", u, resp.StatusCode, len(b), b)
	}
	if c.got != nil {
		c.got(u, resp, b)
	}
	return b
}

func (c *crawler) visit(u string) {
	c.t.Helper()
	if c.seen[u] {
		return
	}
	c.seen[u] = true
	b := c.fetch(u)
	switch {
	case strings.Contains(u, "Fragments("):
		// A segment: fetched and non-empty is the check here; decoding is
		// the format tests' job.
	case strings.Contains(u, "m3u8"):
		for _, line := range strings.Split(string(b), "\n") {
			line = strings.TrimSpace(line)
			var refs []string
			if strings.HasPrefix(line, "#") {
				for _, m := range uriAttr.FindAllStringSubmatch(line, -1) {
					refs = append(refs, m[1])
				}
			} else if line != "" {
				refs = append(refs, line)
			}
			for _, r := range refs {
				if strings.Contains(r, "://") || strings.HasPrefix(r, "data:") {
					continue // key and license URLs: key delivery's, not the origin's
				}
				c.visit(resolve(c.t, u, r))
			}
		}
	case strings.Contains(u, "mpd-time"):
		c.dash(u, b)
	case strings.HasSuffix(strings.ToLower(u), "/manifest"), strings.Contains(strings.ToLower(u), "/manifest("):
		c.smooth(u, b)
	}
}

func resolve(t *testing.T, base, ref string) string {
	t.Helper()
	b, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	r, err := url.Parse(ref)
	if err != nil {
		t.Fatalf("reference %q in %s: %v", ref, base, err)
	}
	return b.ResolveReference(r).String()
}

// dash expands every representation's SegmentTemplate + SegmentTimeline.
func (c *crawler) dash(u string, b []byte) {
	m, err := mpd.ReadFromString(string(b))
	if err != nil {
		c.t.Fatalf("%s: %v", u, err)
	}
	for _, p := range m.Periods {
		for _, as := range p.AdaptationSets {
			for _, rep := range as.Representations {
				st := rep.SegmentTemplate
				if st == nil {
					st = as.SegmentTemplate
				}
				if st == nil || st.SegmentTimeline == nil {
					c.t.Fatalf("%s: representation %s has no SegmentTimeline", u, rep.Id)
				}
				sub := func(tmpl string, tm uint64) string {
					return strings.NewReplacer("$RepresentationID$", rep.Id, "$Bandwidth$", fmt.Sprint(rep.Bandwidth), "$Time$", fmt.Sprint(tm)).Replace(tmpl)
				}
				c.seen[resolve(c.t, u, sub(st.Initialization, 0))] = true
				c.fetch(resolve(c.t, u, sub(st.Initialization, 0)))
				var at uint64
				for _, s := range st.SegmentTimeline.S {
					if s.T != nil {
						at = *s.T
					}
					for range s.R + 1 {
						su := resolve(c.t, u, sub(st.Media, at))
						c.seen[su] = true
						c.fetch(su)
						at += s.D
					}
				}
			}
		}
	}
}

// smooth walks every quality level's chunk list.
func (c *crawler) smooth(u string, b []byte) {
	var m smoothManifest
	if err := xml.Unmarshal(b, &m); err != nil {
		c.t.Fatalf("%s: %v", u, err)
	}
	base := u[:strings.LastIndex(u, "/")+1]
	for _, si := range m.Streams {
		var at uint64
		for _, ch := range si.Chunks {
			if ch.T != nil {
				at = *ch.T
			}
			n := uint64(1)
			if ch.R != nil {
				n = *ch.R
			}
			for range n {
				for _, ql := range si.Levels {
					fu := base + strings.NewReplacer("{bitrate}", fmt.Sprint(ql.Bitrate), "{start time}", fmt.Sprint(at)).Replace(si.URL)
					c.seen[fu] = true
					c.fetch(fu)
				}
				at += ch.D
			}
		}
	}
}

// TestSameBytesUnderBufferReuse: segments are built in recycled buffers,
// so concurrent requests of differently sized segments (DASH, HLS-TS,
// AES-128 CMAF) must still give every URL the same bytes each time.
func TestSameBytesUnderBufferReuse(t *testing.T) {
	p := publishedProtected(t)
	var urls []string
	for _, m := range []string{p.ladder.find(t, "Dash", "format=mpd-time-csf)"), p.ladder.find(t, "Hls", "format=m3u8-aapl)"),
		p.envelope.find(t, "Hls", "format=m3u8-cmaf")} {
		c := &crawler{t: t, n: p.n, seen: map[string]bool{}}
		c.visit(m)
		for u := range c.seen {
			if strings.Contains(u, "Fragments(") {
				urls = append(urls, u)
			}
		}
	}
	must(t, len(urls) > 30, "only %d segment URLs", len(urls))
	want := map[string]string{}
	for _, u := range urls {
		want[u] = string(p.fetch(t, u))
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2 * len(urls) {
				u := urls[(i*7+g*13)%len(urls)]
				resp, b := p.n.get(u)
				if resp.StatusCode != 200 || string(b) != want[u] {
					errs <- fmt.Sprintf("%s: %d, %d bytes differ from the first answer", u, resp.StatusCode, len(b))
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
