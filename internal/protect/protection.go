package protect

import (
	"context"
	"fmt"
	"time"

	"github.com/Eyevinn/mp4ff/mp4"

	"github.com/lockstream/lockstream/internal/cenc"
	"github.com/lockstream/lockstream/internal/cmaf"
	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/streamurl"
	"github.com/lockstream/lockstream/internal/ttlcache"
)

// Protection is one request's dynamic encryption: the scheme the policy
// and URL chose, the locator's keys and the signalling to write. A nil
// *Protection means clear output: every method then leaves media clear
// and signals nothing.
type Protection struct {
	l      *Locator
	scheme streamurl.Encryption
	// Signal writes the request's DRM signalling.
	Signal Signaller
	// version names the presentation's file versions, so that IVs never
	// repeat when a file is replaced under the same name and key.
	version string
	cache   *protectionCache // nil: build every time
}

// Scheme returns the request's scheme.
func (e *Protection) Scheme() streamurl.Encryption { return e.scheme }

// protectionCache keeps each track's protection (protected init segment,
// PSSH boxes, IV salt) per key and scheme, since every segment request of
// the track needs the same one. Entries never expire (the key names
// everything they depend on); the bound empties it when full.
type protectionCache = ttlcache.Cache[string, *cenc.Protection]

// Key returns t's content key, nil when t stays clear.
func (e *Protection) Key(t *media.Track) (*ContentKey, error) {
	if e == nil {
		return nil, nil
	}
	return e.l.TrackKey(e.scheme, t)
}

// KeysOf returns the distinct keys encrypting tracks, in track order.
func (e *Protection) KeysOf(tracks []*media.Track) ([]*ContentKey, error) {
	var out []*ContentKey
	seen := map[*ContentKey]bool{}
	for _, t := range tracks {
		k, err := e.Key(t)
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

func (e *Protection) cencScheme() cenc.Scheme {
	if e.scheme == streamurl.EncCBCS {
		return cenc.CBCS
	}
	return cenc.CENC
}

// protection returns t's sample-encryption setup under k: the protected
// init segment (sinf, tenc, PSSH per signalled system) and the IV stream.
// It is built once per track, key and scheme and then kept in the cache,
// since every segment request of the track needs the same one.
func (e *Protection) protection(t *media.Track, k *ContentKey) (*cenc.Protection, error) {
	// The key names everything the protection depends on: the files'
	// versions, the track (file and track id: renditions share names), the
	// key, the scheme and the signalled systems (the locator's policy and
	// signalling, by the Locator's id: a reloaded locator gets a new one).
	ck := fmt.Sprintf("%s\x00%s\x00%d\x00%s\x00%s\x00%d", e.version, t.Source, t.SourceID, k.KID, e.scheme, e.l.id.Load())
	if e.cache == nil {
		return e.buildProtection(t, k)
	}
	var epoch time.Time // no expiry: the time does not matter
	if p, ok := e.cache.Get(ck, epoch); ok {
		return p, nil
	}
	p, err := e.buildProtection(t, k)
	if err != nil {
		return nil, err
	}
	e.cache.Put(ck, p, epoch)
	return p, nil
}

func (e *Protection) buildProtection(t *media.Track, k *ContentKey) (*cenc.Protection, error) {
	init, err := cmaf.Init(t)
	if err != nil {
		return nil, fmt.Errorf("init %s: %w", t.Name, err)
	}
	psshs, err := e.Signal.PSSH(k)
	if err != nil {
		return nil, err
	}
	p, err := cenc.NewProtection(init, cenc.Params{
		Scheme: e.cencScheme(), KID: k.KID, ConstantIV: cenc.DeriveConstantIV(k.KID), PSSH: psshs,
		Stream: cenc.StreamID{Asset: e.l.Container, File: t.Source, TrackID: t.SourceID, Version: e.version},
	})
	if err != nil {
		return nil, fmt.Errorf("protect %s: %w", t.Name, err)
	}
	return p, nil
}

// sampleEncrypted reports whether the scheme encrypts samples (cenc,
// cbcs) rather than whole segments (AES-128).
func (e *Protection) sampleEncrypted() bool {
	return e != nil && (e.scheme == streamurl.EncCENC || e.scheme == streamurl.EncCBCS)
}

// Init returns t's initialization segment, protected when t is encrypted
// with cenc or cbcs, else the format's clear one. Whole-segment AES-128
// leaves init segments clear (the playlist's key tag follows EXT-X-MAP).
func (e *Protection) Init(t *media.Track, plain func(*media.Track) ([]byte, error)) ([]byte, error) {
	if !e.sampleEncrypted() {
		return plain(t)
	}
	k, err := e.Key(t)
	if err != nil || k == nil {
		if err != nil {
			return nil, err
		}
		return plain(t)
	}
	p, err := e.protection(t, k)
	if err != nil {
		return nil, err
	}
	return p.Init(), nil
}

// EncryptFragment encrypts f, whose first sample is t.Samples[first], in
// place when t is sample-encrypted.
func (e *Protection) EncryptFragment(t *media.Track, f *mp4.Fragment, first int) error {
	if !e.sampleEncrypted() {
		return nil
	}
	k, err := e.Key(t)
	if err != nil || k == nil {
		return err
	}
	p, err := e.protection(t, k)
	if err != nil {
		return err
	}
	if err := cenc.NewEncryptor(p, k.Cipher).EncryptFragment(f, uint64(first)); err != nil {
		return fmt.Errorf("encrypt %s: %w", t.Name, err)
	}
	return nil
}

// Plan starts the streamed encryption of the lazy fragment f of t (see
// cmaf.Fragment), whose first sample is t.Samples[first]; nil when t's
// samples are not encrypted. The caller feeds it every sample, adds the
// boxes (Finish), writes the header and then encrypts each sample as it
// writes it: the same bytes as EncryptFragment.
func (e *Protection) Plan(t *media.Track, f *mp4.Fragment, first int) (*cenc.Plan, error) {
	if !e.sampleEncrypted() {
		return nil, nil
	}
	k, err := e.Key(t)
	if err != nil || k == nil {
		return nil, err
	}
	p, err := e.protection(t, k)
	if err != nil {
		return nil, err
	}
	pl, err := cenc.NewEncryptor(p, k.Cipher).Plan(f, uint64(first))
	if err != nil {
		return nil, fmt.Errorf("encrypt %s: %w", t.Name, err)
	}
	return pl, nil
}

// SealsSegments reports whether the scheme encrypts whole segments
// (AES-128), which a server cannot stream sample by sample.
func (e *Protection) SealsSegments() bool { return e != nil && e.scheme == streamurl.EncCBC }

// SealSegment applies HLS AES-128 to a whole segment of t (segment k,
// whose media sequence number is k).
func (e *Protection) SealSegment(t *media.Track, b []byte, k int) ([]byte, error) {
	if e == nil || e.scheme != streamurl.EncCBC {
		return b, nil
	}
	key, err := e.Key(t)
	if err != nil || key == nil {
		return b, err
	}
	return key.Cipher.SealSegment(b, 0, cenc.SequenceIV(uint64(k)))
}

// Segment builds, encrypts and encodes one fMP4 media segment (segment k
// of t, built by build).
func (e *Protection) Segment(_ context.Context, t *media.Track, k int, build func() (*media.SegmentData, *mp4.Fragment, error), styp bool) ([]byte, error) {
	d, f, err := build()
	if err != nil {
		return nil, err
	}
	if err := e.EncryptFragment(t, f, t.Segments[k].First); err != nil {
		return nil, err
	}
	return cmaf.Encode(d, f, styp)
}

// TSEncryption returns how the MPEG-TS muxer encrypts the segments of
// playlist track t: not at all, whole segments with AES-128, or Apple
// SAMPLE-AES for cbcs (Supports admits nothing else for MPEG-TS).
func (e *Protection) TSEncryption(t *media.Track) (key *ContentKey, sampleAES bool, iv *[16]byte, err error) {
	if e == nil {
		return nil, false, nil, nil
	}
	key, err = e.Key(t)
	if err != nil || key == nil {
		return nil, false, nil, err
	}
	if e.scheme == streamurl.EncCBCS {
		v := cenc.DeriveConstantIV(key.KID)
		return key, true, &v, nil
	}
	return key, false, nil, nil
}

// Supports reports whether format f can be delivered under the request's
// scheme, before anything is built: AMS's DASH and Smooth envelope modes
// worked only with Azure Media Player's own signalling; MPEG-TS carries
// AES-128 or SAMPLE-AES (cbcs), not cenc; Smooth clients know cenc
// (PlayReady) only. The error wraps ErrUnsupported.
func (e *Protection) Supports(f streamurl.Format) error {
	if e == nil {
		return nil
	}
	ts := f == streamurl.FormatHLS || f == streamurl.FormatHLSv3
	hls := ts || f == streamurl.FormatHLSCMAF
	smooth := f.Protocol() == "SmoothStreaming"
	switch {
	case e.scheme == streamurl.EncCBC && !hls:
		return refuse(ErrUnsupported, "encryption=cbc (AES-128 envelope) is served for HLS only; use cenc for %s", f.Protocol())
	case e.scheme == streamurl.EncCENC && ts:
		return refuse(ErrUnsupported, "encryption=cenc is not available for MPEG-TS; use format=m3u8-cmaf")
	case e.scheme == streamurl.EncCBCS && smooth:
		return refuse(ErrUnsupported, "encryption=cbcs is not available for Smooth Streaming; use cenc")
	}
	return nil
}

// IFrames reports whether I-frame playlists exist for format f: not
// under whole-segment AES-128 (a byte range or lone key frame cannot be
// decrypted on its own), nor for encrypted MPEG-TS (SAMPLE-AES changes
// the packet layout the I-frame byte ranges are computed from).
func (e *Protection) IFrames(f streamurl.Format) bool {
	return e == nil || (e.scheme != streamurl.EncCBC && f == streamurl.FormatHLSCMAF)
}
