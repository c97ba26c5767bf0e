package hls_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/asticode/go-astits"
)

// tsPES is one PES of a demuxed segment.
type tsPES struct {
	pid      uint16
	pts, dts int64 // dts = pts when absent
	data     []byte
	rai      bool // random_access_indicator on its first packet
	pcr      int64
}

// tsInfo is what inspectTS learns of a segment.
type tsInfo struct {
	pmt  *astits.PMTData
	pes  []tsPES
	last map[uint16]int // last continuity counter per PID
	// first continuity counter per PID
	first map[uint16]int
}

// inspectTS demuxes seg with go-astits (which checks PSI CRCs) and checks
// the packet structure: sync bytes, continuity counters incrementing by
// one per payload packet of each PID.
func inspectTS(t *testing.T, seg []byte) *tsInfo {
	t.Helper()
	if len(seg)%188 != 0 {
		t.Fatalf("segment of %d bytes is not whole packets", len(seg))
	}
	info := &tsInfo{last: map[uint16]int{}, first: map[uint16]int{}}
	for off := 0; off < len(seg); off += 188 {
		p := seg[off : off+188]
		if p[0] != 0x47 {
			t.Fatalf("packet at %d: sync byte %#x", off, p[0])
		}
		pid := uint16(p[1]&0x1f)<<8 | uint16(p[2])
		cc := int(p[3] & 0x0f)
		afc := p[3] >> 4 & 3
		if afc&1 == 0 {
			t.Fatalf("packet at %d: no payload", off)
		}
		if afc&2 != 0 && int(p[4]) > 182 {
			t.Fatalf("packet at %d: adaptation field of %d bytes with payload", off, p[4])
		}
		if prev, ok := info.last[pid]; ok && cc != (prev+1)&15 {
			t.Fatalf("packet at %d, PID %#x: continuity counter %d after %d", off, pid, cc, prev)
		}
		if _, ok := info.first[pid]; !ok {
			info.first[pid] = cc
		}
		info.last[pid] = cc
	}
	dmx := astits.NewDemuxer(context.Background(), bytes.NewReader(seg))
	for {
		d, err := dmx.NextData()
		if errors.Is(err, astits.ErrNoMorePackets) {
			break
		}
		if err != nil {
			t.Fatalf("astits: %v", err)
		}
		switch {
		case d.PMT != nil:
			info.pmt = d.PMT
		case d.PES != nil:
			h := d.PES.Header.OptionalHeader
			if h == nil || h.PTS == nil {
				t.Fatalf("PES on PID %#x without PTS", d.PID)
			}
			e := tsPES{pid: d.PID, pts: h.PTS.Base, dts: h.PTS.Base, data: d.PES.Data, pcr: -1}
			if h.DTS != nil {
				e.dts = h.DTS.Base
			}
			if af := d.FirstPacket.AdaptationField; af != nil {
				e.rai = af.RandomAccessIndicator
				if af.HasPCR {
					e.pcr = af.PCR.Base
				}
			}
			info.pes = append(info.pes, e)
		}
	}
	if info.pmt == nil {
		t.Fatal("no PMT")
	}
	return info
}

// nalTypes lists the NAL unit types of an Annex B access unit.
func nalTypes(au []byte, hevc bool) []int {
	var types []int
	for i := 0; i+3 < len(au); i++ {
		if au[i] == 0 && au[i+1] == 0 && au[i+2] == 1 {
			h := au[i+3]
			if hevc {
				types = append(types, int(h>>1&0x3f))
			} else {
				types = append(types, int(h&0x1f))
			}
			i += 3
		}
	}
	return types
}
