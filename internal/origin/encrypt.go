package origin

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/lockstream/lockstream/internal/cenc"
	"github.com/lockstream/lockstream/internal/cmaf"
	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/streamurl"
)

// encryption is one request's dynamic encryption: the scheme the policy
// and URL chose, the locator's keys and the DRM signalling to write.
// A nil *encryption means clear output.
type encryption struct {
	li     *locatorInfo
	scheme streamurl.Encryption
	sg     *signaler
	// version names the presentation's file versions, so that IVs never
	// repeat when a file is replaced under the same name and key.
	version string
	// cache keeps built protections across requests (nil: none).
	cache *protectionCache
}

// protectionCache keeps each track's protection (protected init segment,
// PSSH boxes, IV salt) per key and scheme, since every segment request of
// the track needs the same one. It is bounded by entry count and emptied
// when full: entries are small and cheap to rebuild.
type protectionCache struct {
	mu  sync.Mutex
	m   map[string]*cenc.Protection
	max int
}

func (c *protectionCache) get(key string, build func() (*cenc.Protection, error)) (*cenc.Protection, error) {
	if c == nil {
		return build()
	}
	c.mu.Lock()
	p := c.m[key]
	c.mu.Unlock()
	if p != nil {
		return p, nil
	}
	p, err := build()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= c.max {
		c.m = make(map[string]*cenc.Protection)
	}
	c.m[key] = p
	c.mu.Unlock()
	return p, nil
}

// key returns t's content key, nil when t stays clear.
func (e *encryption) key(t *media.Track) (*contentKey, error) {
	if e == nil {
		return nil, nil
	}
	k, me := trackKey(e.li, e.scheme, t)
	if me != nil {
		return nil, me
	}
	return k, nil
}

// keysOf returns the distinct keys encrypting tracks, in track order.
func (e *encryption) keysOf(tracks []*media.Track) ([]*contentKey, error) {
	var out []*contentKey
	seen := map[*contentKey]bool{}
	for _, t := range tracks {
		k, err := e.key(t)
		if err != nil {
			return nil, err
		}
		if k != nil && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out, nil
}

func (e *encryption) cencScheme() cenc.Scheme {
	if e.scheme == streamurl.EncCBCS {
		return cenc.CBCS
	}
	return cenc.CENC
}

// protection builds t's sample-encryption setup under k: the protected
// init segment (sinf, tenc, PSSH per signalled system) and the IV stream.
// It is rebuilt per request: parsing one small init segment costs far
// less than packaging the segment that needs it.
func (e *encryption) protection(t *media.Track, k *contentKey) (*cenc.Protection, error) {
	// The key names everything the protection depends on: the files'
	// versions, the track (file and track id: renditions share names), the
	// key, the scheme and the signalled systems
	// (the streaming policy, by its locator's account and the policy's
	// content, through the signaler's settings).
	ck := fmt.Sprintf("%s\x00%s\x00%d\x00%s\x00%s\x00%p", e.version, t.Source, t.SourceID, k.KID, e.scheme, e.li)
	return e.cache.get(ck, func() (*cenc.Protection, error) { return e.buildProtection(t, k) })
}

func (e *encryption) buildProtection(t *media.Track, k *contentKey) (*cenc.Protection, error) {
	init, err := cmaf.Init(t)
	if err != nil {
		return nil, fmt.Errorf("init %s: %w", t.Name, err)
	}
	psshs, err := e.sg.psshBoxes(k)
	if err != nil {
		return nil, err
	}
	p, err := cenc.NewProtection(init, cenc.Params{
		Scheme: e.cencScheme(), KID: k.KID, ConstantIV: cenc.DeriveConstantIV(k.KID), PSSH: psshs,
		Stream: cenc.StreamID{Asset: e.li.Container, File: t.Source, TrackID: t.SourceID, Version: e.version},
	})
	if err != nil {
		return nil, fmt.Errorf("protect %s: %w", t.Name, err)
	}
	return p, nil
}

// sampleEncrypted reports whether the scheme encrypts samples (cenc,
// cbcs) rather than whole segments (AES-128).
func (e *encryption) sampleEncrypted() bool {
	return e != nil && (e.scheme == streamurl.EncCENC || e.scheme == streamurl.EncCBCS)
}

// init returns t's initialization segment, protected when t is encrypted
// with cenc or cbcs, else the format's clear one. Whole-segment AES-128
// leaves init segments clear (the playlist's key tag follows EXT-X-MAP).
func (e *encryption) init(t *media.Track, clear func(*media.Track) ([]byte, error)) ([]byte, error) {
	if !e.sampleEncrypted() {
		return clear(t)
	}
	k, err := e.key(t)
	if err != nil || k == nil {
		if err != nil {
			return nil, err
		}
		return clear(t)
	}
	p, err := e.protection(t, k)
	if err != nil {
		return nil, err
	}
	return p.Init(), nil
}

// encryptFragment encrypts f, whose first sample is t.Samples[first], in
// place when t is sample-encrypted.
func (e *encryption) encryptFragment(t *media.Track, f *mp4.Fragment, first int) error {
	if !e.sampleEncrypted() {
		return nil
	}
	k, err := e.key(t)
	if err != nil || k == nil {
		return err
	}
	p, err := e.protection(t, k)
	if err != nil {
		return err
	}
	if err := cenc.NewEncryptor(p, k.cipher).EncryptFragment(f, uint64(first)); err != nil {
		return fmt.Errorf("encrypt %s: %w", t.Name, err)
	}
	return nil
}

// sealSegment applies HLS AES-128 to a whole segment of t (segment k,
// whose media sequence number is k).
func (e *encryption) sealSegment(t *media.Track, b []byte, k int) ([]byte, error) {
	if e == nil || e.scheme != streamurl.EncCBC {
		return b, nil
	}
	key, err := e.key(t)
	if err != nil || key == nil {
		return b, err
	}
	return key.cipher.SealSegment(b, 0, cenc.SequenceIV(uint64(k)))
}

// fragment builds, encrypts and encodes one fMP4 media segment.
func (e *encryption) fragment(ctx context.Context, t *media.Track, k int, build func() (*media.SegmentData, *mp4.Fragment, error), styp bool) ([]byte, error) {
	d, f, err := build()
	if err != nil {
		return nil, err
	}
	if err := e.encryptFragment(t, f, t.Segments[k].First); err != nil {
		return nil, err
	}
	return cmaf.Encode(d, f, styp)
}

// supports reports whether the origin can deliver format f under the
// request's scheme, before anything is built: AMS's DASH and Smooth
// envelope modes worked only with Azure Media Player's own signalling;
// MPEG-TS carries AES-128 or SAMPLE-AES (cbcs), not cenc; Smooth clients
// know cenc (PlayReady) only.
func (e *encryption) supports(f streamurl.Format) *mpeError {
	if e == nil {
		return nil
	}
	ts := f == streamurl.FormatHLS || f == streamurl.FormatHLSv3
	hls := ts || f == streamurl.FormatHLSCMAF
	smooth := f.Protocol() == "SmoothStreaming"
	switch {
	case e.scheme == streamurl.EncCBC && !hls:
		return mpe(http.StatusUnsupportedMediaType, codeEncNotSupported, "encryption=cbc (AES-128 envelope) is served for HLS only; use cenc for %s", f.Protocol())
	case e.scheme == streamurl.EncCENC && ts:
		return mpe(http.StatusUnsupportedMediaType, codeEncNotSupported, "encryption=cenc is not available for MPEG-TS; use format=m3u8-cmaf")
	case e.scheme == streamurl.EncCBCS && smooth:
		return mpe(http.StatusUnsupportedMediaType, codeEncNotSupported, "encryption=cbcs is not available for Smooth Streaming; use cenc")
	}
	return nil
}

// iframes reports whether I-frame playlists exist for format f: not
// under whole-segment AES-128 (a byte range or lone key frame cannot be
// decrypted on its own), nor for encrypted MPEG-TS (SAMPLE-AES changes
// the packet layout the I-frame byte ranges are computed from).
func (e *encryption) iframes(f streamurl.Format) bool {
	return e == nil || (e.scheme != streamurl.EncCBC && f == streamurl.FormatHLSCMAF)
}
