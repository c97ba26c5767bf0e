package hls

import (
	"bytes"
	"errors"
	"testing"

	"github.com/lockstream/lockstream/internal/media"
)

func TestCRC32MPEG(t *testing.T) {
	// nginx-vod-module's PAT section (PMT on PID 0xfff) and its CRC.
	pat := []byte{0x00, 0xb0, 0x0d, 0x00, 0x01, 0xc1, 0x00, 0x00, 0x00, 0x01, 0xef, 0xff}
	if got := crc32MPEG(pat); got != 0x3690e23d {
		t.Errorf("crc %#x; want 0x3690e23d", got)
	}
}

func TestADTSTemplate(t *testing.T) {
	for _, tc := range []struct {
		name string
		asc  []byte
		want []byte
		err  error
	}{
		{"LC 44.1 kHz stereo", []byte{0x12, 0x10}, []byte{0xff, 0xf1, 0x50, 0x80}, nil},
		{"LC 48 kHz mono", []byte{0x11, 0x88}, []byte{0xff, 0xf1, 0x4c, 0x40}, nil},
		// HE-AAC, explicit: AOT 5, core 24 kHz stereo, SBR 48 kHz, core AOT 2.
		{"HE-AAC explicit", []byte{0x2b, 0x11, 0x88, 0x00}, []byte{0xff, 0xf1, 0x58, 0x80}, nil},
		{"explicit frequency", []byte{0x17, 0x80, 0x5d, 0xc0, 0x10}, []byte{0xff, 0xf1, 0x4c, 0x80}, nil},
		{"ER AAC-LD", []byte{0xb9, 0x88}, nil, media.ErrUnsupported},
		{"program config element", []byte{0x12, 0x00}, nil, media.ErrUnsupported},
		{"short", []byte{0x12}, nil, media.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := adtsTemplate(tc.asc)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v; want %v", err, tc.err)
				}
				return
			}
			if err != nil || !bytes.Equal(h[:4], tc.want) {
				t.Fatalf("header % x (%v); want % x", h, err, tc.want)
			}
			var f [7]byte
			putADTS(f[:], h, 371)
			if l := int(f[3]&3)<<11 | int(f[4])<<3 | int(f[5]>>5); l != 378 {
				t.Errorf("frame length %d; want 378", l)
			}
		})
	}
}

// TestWriteAU covers 2-byte NAL lengths and in-band AUDs, which the
// progressive parser does not produce today.
func TestWriteAU(t *testing.T) {
	c := &videoCodec{aud: audH264, params: []byte{0, 0, 0, 1, 0x67, 1, 0, 0, 0, 1, 0x68, 2}, lenSz: 2}
	sample := []byte{0, 2, 0x09, 0xf0, 0, 3, 0x65, 0xaa, 0xbb, 0, 0, 0, 2, 0x06, 0x01}
	n, err := c.annexBSize(sample, true)
	if err != nil {
		t.Fatal(err)
	}
	want := append(append(append([]byte{}, audH264...), c.params...), 0, 0, 0, 1, 0x65, 0xaa, 0xbb, 0, 0, 0, 1, 0x06, 0x01)
	if n != len(want) {
		t.Fatalf("size %d; want %d", n, len(want))
	}
	for _, pad := range []int{0, 5} {
		out := bytes.Repeat([]byte{0xcc}, packetSize)
		var w pesWriter
		w.reset(out, 1, n+pad, pidVideo, 0, -1, false)
		if err := c.writeAU(&w, sample, true, n+pad); err != nil {
			t.Fatal(err)
		}
		if !w.done() {
			t.Fatal("writer not done")
		}
		got := out[packetSize-n-pad:]
		if !bytes.Equal(got[:n], want) || !bytes.Equal(got[n:], make([]byte, pad)) {
			t.Errorf("pad %d: % x", pad, got)
		}
	}
	var w pesWriter
	w.reset(make([]byte, packetSize), 1, n-1, pidVideo, 0, -1, false)
	if err := c.writeAU(&w, sample, true, n-1); !errors.Is(err, media.ErrMalformed) {
		t.Errorf("overlong access unit: %v", err)
	}
	if err := c.walk([]byte{0, 9, 1}, func([]byte) {}); !errors.Is(err, media.ErrMalformed) {
		t.Errorf("NAL length past the sample: %v", err)
	}
}

// TestPESWriterSpread: a PES spread over more packets than it needs keeps
// payload in every packet, full packets first.
func TestPESWriterSpread(t *testing.T) {
	pes := bytes.Repeat([]byte{7}, 400)
	for n := packetsFor(len(pes), true); n <= 20; n++ {
		out := make([]byte, n*packetSize)
		var w pesWriter
		w.reset(out, n, len(pes), pidVideo, 3, 900000, true)
		w.write(pes)
		if !w.done() || w.cc != byte(3+n)&15 {
			t.Fatalf("n %d: done %v cc %d", n, w.done(), w.cc)
		}
		total := 0
		for i := range n {
			p := out[i*packetSize : (i+1)*packetSize]
			af := 0
			if p[3]&0x20 != 0 {
				af = 1 + int(p[4])
			}
			if payload := payloadSize - af; payload < 1 {
				t.Fatalf("n %d packet %d without payload", n, i)
			}
			total += payloadSize - af
		}
		if total != len(pes) {
			t.Fatalf("n %d: %d payload bytes; want %d", n, total, len(pes))
		}
	}
}
