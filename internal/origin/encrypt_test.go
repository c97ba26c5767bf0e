package origin_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/Eyevinn/dash-mpd/mpd"
	"github.com/Eyevinn/mp4ff/mp4"
	"github.com/asticode/go-astits"

	"github.com/lockstream/lockstream/internal/drm"
	"github.com/lockstream/lockstream/internal/drm/playready"
	"github.com/lockstream/lockstream/internal/drm/widevine"
)

// protected is the shared node's ladder asset published under encrypting
// streaming policies, with the locators' keys read back through
// listContentKeys (the one API call that returns them).
type protected struct {
	*shared
	envelope, cenc, cbcs, mapped paths
	keys                         map[string]map[string][]byte // locator → kid → key
	clearID                      string                       // the clear locator's id
}

var (
	protectedOnce sync.Once
	protectedS    *protected
)

func publishedProtected(t *testing.T) *protected {
	t.Helper()
	s := published(t)
	protectedOnce.Do(func() {
		p := &protected{shared: s, keys: map[string]map[string][]byte{}}
		p.clearID = strings.Split(s.ladder.find(t, "Dash", "mpd-time-csf"), "/")[1]
		n := s.n
		on := map[string]any{"download": false, "dash": true, "hls": true, "smoothStreaming": true}
		n.do(http.MethodPut, "/streamingPolicies/all-cenc", map[string]any{"properties": map[string]any{
			"defaultContentKeyPolicyName": "demo-open-clearkey",
			"commonEncryptionCenc": map[string]any{"enabledProtocols": on,
				"drm":                             map[string]any{"playReady": map[string]any{"playReadyCustomAttributes": "<ORIGIN>lockstream</ORIGIN>"}, "widevine": map[string]any{"customLicenseAcquisitionUrlTemplate": "https://wv.example/lic/{ContentKeyId}?alt={AlternativeMediaId}"}},
				"clearKeyEncryptionConfiguration": map[string]any{}},
		}}, 201, nil)
		n.do(http.MethodPut, "/streamingPolicies/all-cbcs", map[string]any{"properties": map[string]any{
			"defaultContentKeyPolicyName": "demo-open-clearkey",
			"commonEncryptionCbcs": map[string]any{"enabledProtocols": map[string]any{"download": false, "dash": true, "hls": true, "smoothStreaming": false},
				"drm": map[string]any{"fairPlay": map[string]any{"allowPersistentLicense": false}, "widevine": map[string]any{}, "playReady": map[string]any{}}},
		}}, 201, nil)
		// Audio under its own key; video under the default key.
		n.do(http.MethodPut, "/streamingPolicies/mapped-cenc", map[string]any{"properties": map[string]any{
			"defaultContentKeyPolicyName": "demo-open-clearkey",
			"commonEncryptionCenc": map[string]any{"enabledProtocols": map[string]any{"download": false, "dash": true, "hls": false, "smoothStreaming": false},
				"contentKeys": map[string]any{"defaultKey": map[string]any{"label": "video"}, "keyToTrackMappings": []any{
					map[string]any{"label": "audio", "tracks": []any{map[string]any{"trackSelections": []any{map[string]any{"property": "FourCC", "operation": "Equal", "value": "mp4a"}}}}},
				}},
				"drm": map[string]any{"widevine": map[string]any{}}},
		}}, 201, nil)
		p.envelope = n.locator("ladder-envelope", "ladder", "Predefined_ClearKey", map[string]any{"defaultContentKeyPolicyName": "demo-open-clearkey"})
		p.cenc = n.locator("ladder-cenc", "ladder", "all-cenc", map[string]any{"alternativeMediaId": "movie-42"})
		p.cbcs = n.locator("ladder-cbcs", "ladder", "all-cbcs", nil)
		p.mapped = n.locator("ladder-mapped", "ladder", "mapped-cenc", nil)
		for _, l := range []string{"ladder-envelope", "ladder-cenc", "ladder-cbcs", "ladder-mapped"} {
			var out struct {
				ContentKeys []struct{ ID, Value, Type, LabelReferenceInStreamingPolicy string } `json:"contentKeys"`
			}
			n.do(http.MethodPost, "/streamingLocators/"+l+"/listContentKeys", nil, 200, &out)
			p.keys[l] = map[string][]byte{}
			for _, ck := range out.ContentKeys {
				k, err := base64.StdEncoding.DecodeString(ck.Value)
				if err != nil || len(k) != 16 {
					t.Fatalf("%s key %s: %v", l, ck.ID, err)
				}
				p.keys[l][strings.ToLower(ck.ID)] = k
			}
		}
		if !t.Failed() {
			protectedS = p
		}
	})
	if protectedS == nil {
		t.Fatal("protected locators unavailable")
	}
	return protectedS
}

// onlyKey returns the locator's single key.
func (p *protected) onlyKey(t *testing.T, locator string) (string, []byte) {
	t.Helper()
	must(t, len(p.keys[locator]) == 1, "%s has %d keys", locator, len(p.keys[locator]))
	for kid, k := range p.keys[locator] {
		return kid, k
	}
	return "", nil
}

// clearURL maps a protected URL to the same resource on the clear locator.
func (p *protected) clearURL(u string) string {
	clearID := p.clearID
	parts := strings.SplitN(u, "/", 3)
	u = "/" + clearID + "/" + parts[2]
	u = regexp.MustCompile(`,encryption=[a-z-]+`).ReplaceAllString(u, "")
	u = regexp.MustCompile(`\(encryption=[a-z-]+\)`).ReplaceAllString(u, "")
	return strings.Replace(u, "(encryption=cenc,", "(", 1)
}

func (p *protected) fetch(t *testing.T, u string) []byte {
	t.Helper()
	resp, b := p.n.get(u)
	must(t, resp.StatusCode == 200 && len(b) > 0, "%s: %d %s", u, resp.StatusCode, b)
	return b
}

// hlsMedia is one media playlist: its key tags, map and segments.
type hlsMedia struct {
	url      string
	keys     []string // EXT-X-KEY lines
	mapURL   string
	seq      int
	segments []string
}

// hlsPlaylists returns the master's first video variant and first audio
// rendition media playlists.
func (p *protected) hlsPlaylists(t *testing.T, master string) (body string, media []hlsMedia) {
	t.Helper()
	body = string(p.fetch(t, master))
	var video, audio string
	for _, l := range strings.Split(body, "\n") {
		if m := regexp.MustCompile(`^#EXT-X-MEDIA:TYPE=AUDIO.*URI="([^"]+)"`).FindStringSubmatch(l); m != nil && audio == "" {
			audio = m[1]
		}
		if l != "" && !strings.HasPrefix(l, "#") && video == "" {
			video = l
		}
	}
	for _, pl := range []string{video, audio} {
		if pl == "" {
			continue
		}
		u := resolve(t, master, pl)
		m := hlsMedia{url: u}
		for _, l := range strings.Split(string(p.fetch(t, u)), "\n") {
			switch {
			case strings.HasPrefix(l, "#EXT-X-KEY:"):
				m.keys = append(m.keys, l)
			case strings.HasPrefix(l, "#EXT-X-MAP:"):
				m.mapURL = resolve(t, u, regexp.MustCompile(`URI="([^"]+)"`).FindStringSubmatch(l)[1])
			case strings.HasPrefix(l, "#EXT-X-MEDIA-SEQUENCE:"):
				m.seq, _ = strconv.Atoi(strings.TrimPrefix(l, "#EXT-X-MEDIA-SEQUENCE:"))
			case l != "" && !strings.HasPrefix(l, "#"):
				m.segments = append(m.segments, resolve(t, u, l))
			}
		}
		must(t, len(m.segments) > 0, "%s has no segments", u)
		media = append(media, m)
	}
	must(t, len(media) == 2, "%s: want a video and an audio playlist, got %d", master, len(media))
	return body, media
}

// TestEnvelopeHLS decrypts every AES-128 segment (TS with openssl, CMAF
// with Go's crypto) and compares it byte for byte with the clear stream.
func TestEnvelopeHLS(t *testing.T) {
	p := publishedProtected(t)
	kid, key := p.onlyKey(t, "ladder-envelope")
	for _, format := range []string{"m3u8-aapl", "m3u8-cmaf"} {
		t.Run(format, func(t *testing.T) {
			master := p.envelope.find(t, "Hls", "format="+format)
			body, media := p.hlsPlaylists(t, master)
			must(t, !strings.Contains(body, "I-FRAME"), "AES-128 master lists I-frame playlists:\n%s", body)
			must(t, strings.Contains(body, "#EXT-X-SESSION-KEY:METHOD=AES-128"), "no session key:\n%s", body)
			for _, m := range media {
				must(t, len(m.keys) == 1 && strings.Contains(m.keys[0], "METHOD=AES-128") && strings.Contains(m.keys[0], "/keydelivery/") &&
					strings.Contains(m.keys[0], "kid="+kid) && !strings.Contains(m.keys[0], "IV="), "%s keys %q", m.url, m.keys)
				if m.mapURL != "" {
					// The init section stays clear: the key tag follows the map.
					must(t, bytes.Equal(p.fetch(t, m.mapURL), p.fetch(t, p.clearURL(m.mapURL))), "%s: init differs from clear", m.mapURL)
				}
				for i, su := range m.segments {
					enc, plain := p.fetch(t, su), p.fetch(t, p.clearURL(su))
					must(t, len(enc)%16 == 0 && len(enc) > len(plain) && !bytes.Contains(enc, plain[:min(len(plain), 64)]), "%s: not encrypted", su)
					iv := make([]byte, 16)
					binary.BigEndian.PutUint64(iv[8:], uint64(m.seq+i))
					var dec []byte
					if format == "m3u8-aapl" {
						dec = opensslDecrypt(t, enc, key, iv)
					} else {
						dec = cbcDecrypt(t, enc, key, iv)
					}
					must(t, bytes.Equal(dec, plain), "%s: decrypted %d bytes differ from the clear %d", su, len(dec), len(plain))
				}
			}
		})
	}
	// Formats without an envelope mode are refused, never served clear.
	// (listPaths does not list them; a hand-made URL is refused.)
	for _, f := range []string{"format=mpd-time-csf", "format=mpd-time-cmaf"} {
		resp, b := p.n.get(strings.Replace(p.envelope.find(t, "Hls", "format=m3u8-aapl"), "format=m3u8-aapl", f, 1))
		wantError(t, resp, b, http.StatusUnsupportedMediaType, "MPE_ENCRYPTION_NOT_SUPPORTED")
	}
}

func opensslDecrypt(t *testing.T, enc, key, iv []byte) []byte {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Fatalf("openssl is required (apt-get install -y openssl): %v", err)
	}
	f := filepath.Join(t.TempDir(), "seg.enc")
	if err := os.WriteFile(f, enc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("openssl", "aes-128-cbc", "-d", "-K", hex.EncodeToString(key), "-iv", hex.EncodeToString(iv), "-in", f).Output()
	if err != nil {
		t.Fatalf("openssl: %v", err)
	}
	return out
}

func cbcDecrypt(t *testing.T, enc, key, iv []byte) []byte {
	t.Helper()
	b, _ := aes.NewCipher(key)
	out := make([]byte, len(enc))
	cipher.NewCBCDecrypter(b, iv).CryptBlocks(out, enc)
	pad := int(out[len(out)-1])
	must(t, pad >= 1 && pad <= 16 && bytes.Equal(out[len(out)-pad:], bytes.Repeat([]byte{byte(pad)}, pad)), "bad PKCS#7 padding %d", pad)
	return out[:len(out)-pad]
}

// decryptCheck decrypts one encrypted fMP4 media segment with mp4ff
// (independent of Lockstream's encryptor) and compares its media data
// with the clear segment's; it returns the per-sample IVs seen.
func decryptCheck(t *testing.T, u string, initEnc, enc, plain []byte, keys map[string][]byte) [][]byte {
	t.Helper()
	ini, err := mp4.DecodeFile(bytes.NewReader(initEnc))
	must(t, err == nil && ini.Init != nil, "%s: init: %v", u, err)
	di, err := mp4.DecryptInit(ini.Init)
	must(t, err == nil, "%s: DecryptInit: %v", u, err)
	ef, err := mp4.DecodeFile(bytes.NewReader(enc))
	must(t, err == nil && len(ef.Segments) == 1, "%s: decode: %v", u, err)
	cf, err := mp4.DecodeFile(bytes.NewReader(plain))
	must(t, err == nil && len(cf.Segments) == 1, "%s: decode clear: %v", u, err)
	var ivs [][]byte
	var kid string
	for _, fr := range ef.Segments[0].Fragments {
		for _, traf := range fr.Moof.Trafs {
			if traf.Senc != nil {
				for _, iv := range traf.Senc.IVs {
					ivs = append(ivs, append([]byte(nil), iv...))
				}
			}
		}
	}
	for _, ti := range di.TrackInfos {
		if ti.Sinf != nil && ti.Sinf.Schi != nil && ti.Sinf.Schi.Tenc != nil {
			kid = hex.EncodeToString(ti.Sinf.Schi.Tenc.DefaultKID)
		}
	}
	key := keys[uuidOf(kid)]
	must(t, key != nil, "%s: tenc KID %s is not one of the locator's keys", u, kid)
	encMdat := append([]byte(nil), ef.Segments[0].Fragments[0].Mdat.Data...)
	clearMdat := cf.Segments[0].Fragments[0].Mdat.Data
	must(t, len(encMdat) == len(clearMdat) && !bytes.Equal(encMdat, clearMdat), "%s: media data not encrypted (%d vs %d bytes)", u, len(encMdat), len(clearMdat))
	must(t, mp4.DecryptSegment(ef.Segments[0], di, key) == nil, "%s: mp4ff could not decrypt", u)
	must(t, bytes.Equal(ef.Segments[0].Fragments[0].Mdat.Data, clearMdat), "%s: decrypted samples differ from the clear ones", u)
	return ivs
}

func uuidOf(h string) string {
	if len(h) != 32 {
		return h
	}
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// dashSegments lists each representation's init and media URLs.
func dashSegments(t *testing.T, u string, body []byte) (m *mpd.MPD, reps map[string][]string) {
	t.Helper()
	m, err := mpd.ReadFromString(string(body))
	must(t, err == nil, "%s: %v", u, err)
	reps = map[string][]string{}
	for _, as := range m.Periods[0].AdaptationSets {
		for _, rep := range as.Representations {
			st := rep.SegmentTemplate
			if st == nil {
				st = as.SegmentTemplate
			}
			sub := func(tmpl string, tm uint64) string {
				return resolve(t, u, strings.NewReplacer("$RepresentationID$", rep.Id, "$Bandwidth$", fmt.Sprint(rep.Bandwidth), "$Time$", fmt.Sprint(tm)).Replace(tmpl))
			}
			list := []string{sub(st.Initialization, 0)}
			var at uint64
			for _, s := range st.SegmentTimeline.S {
				if s.T != nil {
					at = *s.T
				}
				for range s.R + 1 {
					list = append(list, sub(st.Media, at))
					at += s.D
				}
			}
			reps[rep.Id] = list
		}
	}
	return m, reps
}

// TestCommonEncryption decrypts every fMP4 segment of every cenc and
// cbcs format with mp4ff and compares the samples with the clear stream;
// it checks the DRM signalling and that no IV repeats under one key.
func TestCommonEncryption(t *testing.T) {
	p := publishedProtected(t)
	for _, tc := range []struct {
		name, locator, proto, format string
		scheme                       string
	}{
		{"dash-csf-cenc", "ladder-cenc", "Dash", "mpd-time-csf", "cenc"},
		{"dash-cmaf-cenc", "ladder-cenc", "Dash", "mpd-time-cmaf", "cenc"},
		{"hls-cmaf-cenc", "ladder-cenc", "Hls", "m3u8-cmaf", "cenc"},
		{"dash-cmaf-cbcs", "ladder-cbcs", "Dash", "mpd-time-cmaf", "cbcs"},
		{"hls-cmaf-cbcs", "ladder-cbcs", "Hls", "m3u8-cmaf", "cbcs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loc := map[string]paths{"ladder-cenc": p.cenc, "ladder-cbcs": p.cbcs}[tc.locator]
			keys := p.keys[tc.locator]
			kid, _ := p.onlyKey(t, tc.locator)
			manifest := loc.find(t, tc.proto, "format="+tc.format)
			seenIV := map[string]string{}
			check := func(initURL string, segs []string) {
				initEnc := p.fetch(t, initURL)
				checkInit(t, initURL, initEnc, tc.scheme, kid)
				for _, su := range segs {
					for _, iv := range decryptCheck(t, su, initEnc, p.fetch(t, su), p.fetch(t, p.clearURL(su)), keys) {
						if tc.scheme == "cenc" {
							if prev, dup := seenIV[string(iv)]; dup {
								t.Fatalf("IV %x used twice under one key: %s and %s", iv, prev, su)
							}
							seenIV[string(iv)] = su
						}
					}
				}
			}
			if tc.proto == "Dash" {
				body := p.fetch(t, manifest)
				m, reps := dashSegments(t, manifest, body)
				checkDASHProtection(t, m, tc.scheme, kid)
				for _, list := range reps {
					check(list[0], list[1:])
				}
				return
			}
			body, media := p.hlsPlaylists(t, manifest)
			method := map[string]string{"cenc": "SAMPLE-AES-CTR", "cbcs": "SAMPLE-AES"}[tc.scheme]
			must(t, strings.Contains(body, "#EXT-X-SESSION-KEY:METHOD="+method), "master has no %s session key:\n%s", method, body)
			for _, m := range media {
				want := []string{widevine.KeyFormat, "com.microsoft.playready"}
				if tc.scheme == "cbcs" {
					want = append(want, "com.apple.streamingkeydelivery")
				} else {
					want = append(want, "org.w3.clearkey")
				}
				for _, kf := range want {
					found := false
					for _, k := range m.keys {
						if strings.Contains(k, "METHOD="+method+",") && strings.Contains(k, `KEYFORMAT="`+kf+`"`) {
							found = true
						}
					}
					must(t, found, "%s: no %s key tag in %q", m.url, kf, m.keys)
				}
				check(m.mapURL, m.segments)
			}
		})
	}
}

// TestUnsupportedSchemeFormat: cenc over MPEG-TS does not exist; the
// manifest is refused up front rather than listing segments that fail.
func TestUnsupportedSchemeFormat(t *testing.T) {
	p := publishedProtected(t)
	u := strings.Replace(p.cenc.find(t, "Hls", "format=m3u8-cmaf"), "format=m3u8-cmaf", "format=m3u8-aapl", 1)
	resp, b := p.n.get(u)
	wantError(t, resp, b, http.StatusUnsupportedMediaType, "MPE_ENCRYPTION_NOT_SUPPORTED")
}

// checkInit checks a protected init segment: scheme, KID, PSSH boxes.
func checkInit(t *testing.T, u string, b []byte, scheme, kid string) {
	t.Helper()
	f, err := mp4.DecodeFile(bytes.NewReader(b))
	must(t, err == nil && f.Init != nil, "%s: %v", u, err)
	trak := f.Init.Moov.Trak
	sd := trak.Mdia.Minf.Stbl.Stsd
	var sinf *mp4.SinfBox
	for _, c := range sd.Children {
		switch e := c.(type) {
		case *mp4.VisualSampleEntryBox:
			sinf = e.Sinf
		case *mp4.AudioSampleEntryBox:
			sinf = e.Sinf
		}
	}
	must(t, sinf != nil && sinf.Schm != nil && sinf.Schm.SchemeType == scheme, "%s: scheme %+v", u, sinf)
	must(t, uuidOf(hex.EncodeToString(sinf.Schi.Tenc.DefaultKID)) == kid, "%s: tenc KID %x, want %s", u, sinf.Schi.Tenc.DefaultKID, kid)
	systems := map[string]bool{}
	for _, ps := range f.Init.Moov.Psshs {
		var buf bytes.Buffer
		must(t, ps.Encode(&buf) == nil, "encode pssh")
		parsed, err := drm.ParsePSSH(buf.Bytes())
		must(t, err == nil, "%s: pssh: %v", u, err)
		systems[parsed.SystemID.Name()] = true
		switch parsed.SystemID {
		case drm.Widevine:
			d, err := widevine.UnmarshalPsshData(parsed.Data)
			must(t, err == nil && len(d.KeyIDs) == 1 && d.KeyIDs[0].String() == kid, "%s: widevine data %+v %v", u, d, err)
		case drm.PlayReady:
			h, err := playready.HeaderFromObject(parsed.Data)
			must(t, err == nil && strings.Contains(h, "<LA_URL>") && strings.Contains(h, "/keydelivery/"), "%s: playready header %s %v", u, h, err)
		}
	}
	must(t, systems[drm.Widevine.Name()] && systems[drm.PlayReady.Name()], "%s: pssh systems %v", u, systems)
}

// checkDASHProtection checks every adaptation set's ContentProtection.
func checkDASHProtection(t *testing.T, m *mpd.MPD, scheme, kid string) {
	t.Helper()
	for _, as := range m.Periods[0].AdaptationSets {
		var mp4prot, wv, pr bool
		for _, cp := range as.ContentProtections {
			switch strings.ToLower(string(cp.SchemeIdUri)) {
			case "urn:mpeg:dash:mp4protection:2011":
				mp4prot = cp.Value == scheme && strings.EqualFold(string(cp.DefaultKID), kid)
			case drm.Widevine.URN():
				wv = cp.Pssh != nil
				if scheme == "cenc" {
					// The policy's custom license URL template, expanded.
					wv = wv && cp.LaURL != nil && string(cp.LaURL.Value) == "https://wv.example/lic/"+kid+"?alt=movie-42"
				}
			case drm.PlayReady.URN():
				pr = cp.MSPro != nil
			}
		}
		must(t, mp4prot && wv && pr, "adaptation set %s: mp4protection %v widevine %v playready %v", as.ContentType, mp4prot, wv, pr)
	}
}

// TestSmoothPlayReady decrypts every Smooth fragment (PIFF-compatible
// cenc) with the track's DASH cenc init as the decryption context, and
// checks the manifest's PlayReady ProtectionHeader.
func TestSmoothPlayReady(t *testing.T) {
	p := publishedProtected(t)
	keys := p.keys["ladder-cenc"]
	mu := p.cenc.find(t, "SmoothStreaming", "manifest")
	body := p.fetch(t, mu)
	m := regexp.MustCompile(`<ProtectionHeader SystemID="9A04F079-9840-4286-AB92-E65BE0885F95">([^<]+)</ProtectionHeader>`).FindSubmatch(body)
	must(t, m != nil, "no PlayReady ProtectionHeader:\n%s", body)
	pro, err := base64.StdEncoding.DecodeString(string(m[1]))
	must(t, err == nil, "protection header: %v", err)
	h, err := playready.HeaderFromObject(pro)
	must(t, err == nil && strings.Contains(h, "<ORIGIN>lockstream</ORIGIN>"), "WRMHEADER %s %v", h, err)
	// Decrypt one fragment per quality level with the DASH init's context.
	var sm smoothManifest
	must(t, xml.Unmarshal(body, &sm) == nil, "smooth manifest")
	base := mu[:strings.Index(mu, ".ism/")+5]
	dashManifest := p.cenc.find(t, "Dash", "mpd-time-csf")
	dashBase := dashManifest[:strings.Index(dashManifest, ".ism/")+5]
	for _, si := range sm.Streams {
		for _, ql := range si.Levels {
			initEnc := p.fetch(t, dashBase+fmt.Sprintf("QualityLevels(%d)/Fragments(%s=i,format=mpd-time-csf,encryption=cenc)", ql.Bitrate, si.Name))
			var at uint64
			if si.Chunks[0].T != nil {
				at = *si.Chunks[0].T
			}
			u := base + strings.NewReplacer("{bitrate}", fmt.Sprint(ql.Bitrate), "{start time}", fmt.Sprint(at)).Replace(si.URL)
			decryptCheck(t, u, initEnc, p.fetch(t, u), p.fetch(t, p.clearURL(u)), keys)
		}
	}
}

// TestKeyToTrackMapping checks that audio and video are encrypted under
// the keys the policy's key-to-track mapping names.
func TestKeyToTrackMapping(t *testing.T) {
	p := publishedProtected(t)
	keys := p.keys["ladder-mapped"]
	must(t, len(keys) == 2, "mapped locator has %d keys", len(keys))
	u := p.mapped.find(t, "Dash", "mpd-time-csf")
	m, reps := dashSegments(t, u, p.fetch(t, u))
	kids := map[string]string{}
	for _, as := range m.Periods[0].AdaptationSets {
		for _, cp := range as.ContentProtections {
			if cp.DefaultKID != "" {
				kids[string(as.ContentType)] = strings.ToLower(string(cp.DefaultKID))
			}
		}
	}
	must(t, kids["video"] != "" && kids["audio"] != "" && kids["video"] != kids["audio"], "KIDs per type %v", kids)
	for _, list := range reps {
		initEnc := p.fetch(t, list[0])
		decryptCheck(t, list[1], initEnc, p.fetch(t, list[1]), p.fetch(t, p.clearURL(list[1])), keys)
	}
}

// TestSampleAESTS checks FairPlay HLS over MPEG-TS: the skd:// key tag
// with its IV, SAMPLE-AES stream types in the PMT, and segments that
// differ from the clear ones (their decryption is checked against the
// clear stream, with a decryptor written from Apple's specification and
// with ffmpeg, in internal/packager/hls).
func TestSampleAESTS(t *testing.T) {
	p := publishedProtected(t)
	kid, _ := p.onlyKey(t, "ladder-cbcs")
	master := p.cbcs.find(t, "Hls", "format=m3u8-aapl")
	body, media := p.hlsPlaylists(t, master)
	must(t, !strings.Contains(body, "I-FRAME"), "SAMPLE-AES TS master lists I-frame playlists:\n%s", body)
	for _, m := range media {
		must(t, len(m.keys) == 1 && strings.Contains(m.keys[0], "METHOD=SAMPLE-AES,") && strings.Contains(m.keys[0], `URI="skd://`) &&
			strings.Contains(m.keys[0], "kid="+kid) && strings.Contains(m.keys[0], "IV=0x") &&
			strings.Contains(m.keys[0], `KEYFORMAT="com.apple.streamingkeydelivery"`), "%s keys %q", m.url, m.keys)
		for _, su := range m.segments[:2] {
			enc, plain := p.fetch(t, su), p.fetch(t, p.clearURL(su))
			must(t, len(enc)%188 == 0 && !bytes.Equal(enc, plain), "%s: not a changed TS (%d bytes)", su, len(enc))
			// PMT stream types, read with go-astits: 0xdb (SAMPLE-AES
			// H.264) for video segments, 0xcf (SAMPLE-AES AAC) for audio.
			want := astits.StreamType(0xdb)
			if strings.Contains(su, "aac") {
				want = 0xcf
			}
			found := false
			dmx := astits.NewDemuxer(context.Background(), bytes.NewReader(enc))
			for {
				d, err := dmx.NextData()
				if err != nil {
					break
				}
				if d.PMT != nil {
					for _, es := range d.PMT.ElementaryStreams {
						found = found || es.StreamType == want
					}
					break
				}
			}
			must(t, found, "%s: no SAMPLE-AES stream type in the PMT", su)
		}
	}
}
