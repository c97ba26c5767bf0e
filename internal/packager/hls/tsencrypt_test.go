package hls_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/asticode/go-astits"

	"github.com/lockstream/lockstream/internal/cenc"
	"github.com/lockstream/lockstream/internal/cenc/cenctest"
	"github.com/lockstream/lockstream/internal/keys"
	"github.com/lockstream/lockstream/internal/media"
	"github.com/lockstream/lockstream/internal/packager/hls"
)

var (
	encKey = keys.Key{0x76, 0xa6, 0xc6, 0x5c, 0x5e, 0xa7, 0x62, 0x04, 0x6b, 0xd7, 0x49, 0xa2, 0xe6, 0x32, 0xcc, 0xbb}
	encIV  = [16]byte{0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
)

func encCipher(t testing.TB) *cenc.Cipher {
	t.Helper()
	c, err := cenc.NewCipher(encKey)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// openssl decrypts AES-128-CBC with PKCS#7 padding with the openssl
// command, an implementation independent of Go's.
func openssl(t *testing.T, key keys.Key, iv [16]byte, data []byte) []byte {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("openssl not found (apt-get install -y openssl)")
		}
		t.Skip("openssl not found (apt-get install -y openssl)")
	}
	cmd := exec.Command(bin, "aes-128-cbc", "-d", "-K", hex.EncodeToString(key[:]), "-iv", hex.EncodeToString(iv[:]))
	cmd.Stdin = bytes.NewReader(data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openssl: %v: %s", err, stderr.String())
	}
	return out
}

// encCases are the segment shapes the encryption tests cover.
func encCases(a *asset) []struct {
	name         string
	video, audio *media.Track
} {
	return []struct {
		name         string
		video, audio *media.Track
	}{
		{"video", a.p.Video()[0], nil},
		{"muxed", a.p.Video()[0], a.p.Audio()[0]},
		{"audio", nil, a.p.Audio()[1]},
	}
}

// TestTSAES128 decrypts every AES-128 segment with openssl, with the
// playlist's explicit IV or the media sequence number, and compares it
// with the clear segment byte for byte.
func TestTSAES128(t *testing.T) {
	a := makeAsset(t, "av.mp4", 4*time.Second, srcAV)
	v := a.view(hls.TS, 0, 0)
	ctx := context.Background()
	c := encCipher(t)
	for _, tc := range encCases(a) {
		for _, explicit := range []bool{false, true} {
			name := tc.name + "/sequence-iv"
			if explicit {
				name = tc.name + "/explicit-iv"
			}
			t.Run(name, func(t *testing.T) {
				lead := tc.video
				if lead == nil {
					lead = tc.audio
				}
				for k := range lead.Segments {
					enc := hls.TSEncryption{Method: hls.TSAES128, Cipher: c}
					iv := cenc.SequenceIV(uint64(k))
					if explicit {
						enc.IV, iv = &encIV, encIV
					}
					plain, err := hls.TSSegment(ctx, a.src, v, tc.video, k, tc.audio)
					if err != nil {
						t.Fatal(err)
					}
					got, err := hls.TSSegmentWith(ctx, a.src, v, tc.video, k, tc.audio, hls.TSOptions{Encryption: enc})
					if err != nil {
						t.Fatal(err)
					}
					if len(got) != cenc.SealedSize(len(plain)) || bytes.Contains(got[:188], []byte{0x47, 0x40, 0x00}) {
						t.Fatalf("segment %d: %d bytes for %d clear, or not encrypted", k, len(got), len(plain))
					}
					if !bytes.Equal(openssl(t, encKey, iv, got), plain) {
						t.Fatalf("segment %d: openssl decryption differs from the clear segment", k)
					}
				}
			})
		}
	}
}

// TestAppendTSSegmentAES128InPlace: with the spare capacity reserved, the
// encrypted segment is written in the caller's buffer.
func TestAppendTSSegmentAES128InPlace(t *testing.T) {
	a := makeAsset(t, "av.mp4", 4*time.Second, srcAV)
	v := a.view(hls.TS, 0, 0)
	ctx := context.Background()
	video := a.p.Video()[0]
	plain := must(hls.TSSegment(ctx, a.src, v, video, 1, nil))
	buf := make([]byte, 3, 3+cenc.SealedSize(len(plain)))
	copy(buf, "abc")
	o := hls.TSOptions{Encryption: hls.TSEncryption{Method: hls.TSAES128, Cipher: encCipher(t)}}
	got, err := hls.AppendTSSegmentWith(ctx, buf, a.src, v, video, 1, nil, o)
	if err != nil {
		t.Fatal(err)
	}
	if &got[0] != &buf[0] || string(got[:3]) != "abc" {
		t.Fatal("AppendTSSegmentWith did not encrypt in the caller's buffer")
	}
	if !bytes.Equal(openssl(t, encKey, cenc.SequenceIV(1), got[3:]), plain) {
		t.Fatal("decryption differs from the clear segment")
	}
}

// TestTSSampleAES encrypts segments with SAMPLE-AES and checks them with
// the specification's decryptor (cenctest): PAT, PMT signalling, PES
// headers and timestamps as in the clear segment, every access unit and
// audio frame decrypting to the clear one byte for byte, slices and
// frames actually encrypted, and the same bytes on every request.
func TestTSSampleAES(t *testing.T) {
	a := makeAsset(t, "av.mp4", 4*time.Second, srcAV)
	v := a.view(hls.TS, 0, 0)
	ctx := context.Background()
	c := encCipher(t)
	for _, tc := range encCases(a) {
		t.Run(tc.name, func(t *testing.T) {
			lead := tc.video
			if lead == nil {
				lead = tc.audio
			}
			changedV, changedA := 0, 0
			for k := range lead.Segments {
				iv := cenc.SequenceIV(uint64(k))
				o := hls.TSOptions{Encryption: hls.TSEncryption{Method: hls.TSSampleAES, Cipher: c}}
				if k%2 == 1 {
					o.Encryption.IV, iv = &encIV, encIV
				}
				plain := inspectTS(t, must(hls.TSSegment(ctx, a.src, v, tc.video, k, tc.audio)))
				b := must(hls.TSSegmentWith(ctx, a.src, v, tc.video, k, tc.audio, o))
				if again := must(hls.TSSegmentWith(ctx, a.src, v, tc.video, k, tc.audio, o)); !bytes.Equal(b, again) {
					t.Fatalf("segment %d differs between two calls", k)
				}
				enc := inspectTS(t, b)
				checkSampleAESPMT(t, enc.pmt, tc.video != nil, tc.audio != nil)
				if len(enc.pes) != len(plain.pes) {
					t.Fatalf("segment %d: %d PES, clear has %d", k, len(enc.pes), len(plain.pes))
				}
				for i, p := range enc.pes {
					cp := plain.pes[i]
					if p.pid != cp.pid || p.pts != cp.pts || p.dts != cp.dts || p.rai != cp.rai {
						t.Fatalf("segment %d PES %d: header differs from the clear one", k, i)
					}
					var dec []byte
					var err error
					if p.pid == 0x100 {
						dec, err = cenctest.DecryptAnnexB(encKey, iv, p.data)
						if !bytes.Equal(p.data, cp.data) {
							changedV++
						}
					} else {
						dec, err = cenctest.DecryptADTS(encKey, iv, p.data)
						if !bytes.Equal(p.data, cp.data) {
							changedA++
						}
					}
					if err != nil {
						t.Fatalf("segment %d PES %d: %v", k, i, err)
					}
					if !bytes.Equal(dec, cp.data) {
						t.Fatalf("segment %d PES %d (PID %#x): decrypted payload differs from the clear one", k, i, p.pid)
					}
				}
			}
			if (tc.video != nil && changedV == 0) || (tc.audio != nil && changedA == 0) {
				t.Fatalf("nothing encrypted: %d video, %d audio PES changed", changedV, changedA)
			}
		})
	}
}

// checkSampleAESPMT checks Apple's SAMPLE-AES signalling: stream types
// 0xdb and 0xcf, private data indicators 'zavc' and 'aacd', and the AAC
// audio setup information in an 'apad' registration descriptor.
func checkSampleAESPMT(t *testing.T, pmt *astits.PMTData, video, audio bool) {
	t.Helper()
	var sawV, sawA bool
	for _, es := range pmt.ElementaryStreams {
		var pdi uint32
		var reg *astits.DescriptorRegistration
		for _, d := range es.ElementaryStreamDescriptors {
			if d.PrivateDataIndicator != nil {
				pdi = d.PrivateDataIndicator.Indicator
			}
			if d.Registration != nil {
				reg = d.Registration
			}
		}
		switch es.StreamType {
		case 0xdb:
			sawV = true
			if pdi != binary.BigEndian.Uint32([]byte("zavc")) {
				t.Errorf("video private data indicator %#x", pdi)
			}
		case 0xcf:
			sawA = true
			if pdi != binary.BigEndian.Uint32([]byte("aacd")) {
				t.Errorf("audio private data indicator %#x", pdi)
			}
			if reg == nil || reg.FormatIdentifier != binary.BigEndian.Uint32([]byte("apad")) {
				t.Fatal("no apad registration descriptor")
			}
			info := reg.AdditionalIdentificationInfo
			if len(info) < 8 || string(info[:4]) != "zaac" || info[6] != 1 || int(info[7]) != len(info)-8 {
				t.Errorf("audio setup information % x", info)
			}
		default:
			t.Errorf("stream type %#x in a SAMPLE-AES segment", es.StreamType)
		}
	}
	if sawV != video || sawA != audio {
		t.Errorf("PMT video %v audio %v, want %v %v", sawV, sawA, video, audio)
	}
}

// TestTSEncryptionUnsupported: SAMPLE-AES is refused for H.265 (Apple's
// format covers H.264 only), and a method without a key is refused.
func TestTSEncryptionUnsupported(t *testing.T) {
	a := makeAsset(t, "hevc.mp4", 2*time.Second, srcHEVC)
	v := a.view(hls.TS, 0, 0)
	ctx := context.Background()
	o := hls.TSOptions{Encryption: hls.TSEncryption{Method: hls.TSSampleAES, Cipher: encCipher(t)}}
	if _, err := hls.TSSegmentWith(ctx, a.src, v, a.p.Video()[0], 0, nil, o); !errors.Is(err, media.ErrUnsupported) {
		t.Fatalf("H.265 SAMPLE-AES: %v", err)
	}
	o.Encryption.Cipher = nil
	o.Encryption.Method = hls.TSAES128
	if _, err := hls.TSSegmentWith(ctx, a.src, v, a.p.Video()[0], 0, nil, o); err == nil {
		t.Fatal("AES-128 without a key succeeded")
	}
}
