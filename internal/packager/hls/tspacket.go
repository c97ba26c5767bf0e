package hls

// MPEG-TS packet primitives (ISO/IEC 13818-1). The muxer is hand-written:
// every segment's packet layout is planned from sample metadata first
// (tsplan.go), then filled in one pass into an exactly sized buffer
// (ts.go) or a chunk of whole PES units at a time (tsstream.go).

const (
	packetSize  = 188
	payloadSize = 184

	pidPAT   = 0x0000
	pidPMT   = 0x1000
	pidVideo = 0x0100
	pidAudio = 0x0101

	// pcrAF is the adaptation field carrying a PCR: length, flags, 6 bytes.
	pcrAF = 8

	// tsOffset (seconds) is added to every timestamp so that DTS, shifted
	// back by the composition delay, never goes negative (10 s, as many
	// packagers do); pcrLead is how far the PCR runs ahead of the DTS of
	// the PES it is carried with (0.7 s, the MPEG-TS muxing delay ffmpeg
	// and nginx-vod use).
	tsOffset = 10
	pcrLead  = 63000

	mask33 = 1<<33 - 1
)

// Stream types and PES stream ids.
const (
	stH264 = 0x1b
	stHEVC = 0x24
	stAAC  = 0x0f // ADTS
	stAC3  = 0x81 // ATSC A/52
	stEAC3 = 0x87

	sidVideo   = 0xe0
	sidAudio   = 0xc0
	sidPrivate = 0xbd // AC-3 / E-AC-3
)

var crcTable = func() (t [256]uint32) {
	for i := range t {
		c := uint32(i) << 24
		for range 8 {
			if c&0x80000000 != 0 {
				c = c<<1 ^ 0x04c11db7
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return t
}()

// crc32MPEG is the CRC of PSI sections (polynomial 0x04C11DB7, MSB first,
// initial value all ones, no final XOR).
func crc32MPEG(b []byte) uint32 {
	c := uint32(0xffffffff)
	for _, x := range b {
		c = c<<8 ^ crcTable[byte(c>>24)^x]
	}
	return c
}

// putPSI writes one PSI packet holding section (without pointer field and
// CRC) and returns nothing; p is 188 bytes.
func putPSI(p []byte, pid uint16, cc byte, section []byte) {
	p[0] = 0x47
	p[1] = 0x40 | byte(pid>>8) // payload_unit_start
	p[2] = byte(pid)
	p[3] = 0x10 | cc&0x0f
	p[4] = 0 // pointer_field
	n := copy(p[5:], section)
	crc := crc32MPEG(section)
	q := p[5+n:]
	q[0], q[1], q[2], q[3] = byte(crc>>24), byte(crc>>16), byte(crc>>8), byte(crc)
	for i := 5 + n + 4; i < packetSize; i++ {
		p[i] = 0xff
	}
}

// patSection is the program association section for program 1.
func patSection() []byte {
	return []byte{
		0x00,       // table_id
		0xb0, 0x0d, // section_syntax_indicator, section_length 13
		0x00, 0x01, // transport_stream_id
		0xc1,       // version 0, current_next
		0x00, 0x00, // section_number, last_section_number
		0x00, 0x01, // program_number 1
		0xe0 | pidPMT>>8, pidPMT & 0xff,
	}
}

// esInfo describes one elementary stream of the program.
type esInfo struct {
	pid        uint16
	streamType byte
	streamID   byte
	lang       string // ISO 639-2 code for the ISO_639_language_descriptor
	regFormat  string // registration_descriptor format_identifier
	desc       []byte // further descriptors, verbatim (SAMPLE-AES signalling)
}

// pmtSection is the program map section of program 1 with its streams.
func pmtSection(pcrPID uint16, streams []esInfo) []byte {
	s := []byte{
		0x02,       // table_id
		0xb0, 0x00, // section_length, set below
		0x00, 0x01, // program_number
		0xc1,
		0x00, 0x00,
		0xe0 | byte(pcrPID>>8), byte(pcrPID),
		0xf0, 0x00, // program_info_length 0
	}
	for _, es := range streams {
		var desc []byte
		if es.regFormat != "" {
			desc = append(desc, 0x05, 4)
			desc = append(desc, es.regFormat[:4]...)
		}
		if len(es.lang) == 3 && es.lang != "und" {
			desc = append(desc, 0x0a, 4)
			desc = append(desc, es.lang...)
			desc = append(desc, 0) // audio_type undefined
		}
		desc = append(desc, es.desc...)
		s = append(s, es.streamType, 0xe0|byte(es.pid>>8), byte(es.pid), 0xf0|byte(len(desc)>>8), byte(len(desc)))
		s = append(s, desc...)
	}
	n := len(s) - 3 + 4 // after section_length, CRC included
	s[1] = 0xb0 | byte(n>>8)
	s[2] = byte(n)
	return s
}

// putTimestamp writes a 5-byte PTS or DTS with the 4-bit prefix.
func putTimestamp(b []byte, prefix byte, ts uint64) {
	ts &= mask33
	b[0] = prefix<<4 | byte(ts>>29)&0x0e | 1
	b[1] = byte(ts >> 22)
	b[2] = byte(ts>>14) | 1
	b[3] = byte(ts >> 7)
	b[4] = byte(ts<<1) | 1
}

// pesHeaderLen is the PES header size with PTS, and DTS when it differs.
func pesHeaderLen(withDTS bool) int {
	if withDTS {
		return 19
	}
	return 14
}

// putPESHeader writes a PES header for a PES of total bytes (header
// included) and returns its length. Video PES longer than the 16-bit
// length field allows use length 0 (unbounded), as ISO 13818-1 permits.
func putPESHeader(b []byte, sid byte, total int, pts, dts uint64, withDTS bool) int {
	b[0], b[1], b[2], b[3] = 0, 0, 1, sid
	l := total - 6
	if l > 0xffff {
		l = 0
	}
	b[4], b[5] = byte(l>>8), byte(l)
	b[6] = 0x84 // '10', data_alignment_indicator
	if withDTS {
		b[7], b[8] = 0xc0, 10
		putTimestamp(b[9:], 3, pts)
		putTimestamp(b[14:], 1, dts)
		return 19
	}
	b[7], b[8] = 0x80, 5
	putTimestamp(b[9:], 2, pts)
	return 14
}

// pesWriter streams one PES into exactly n packets of out (n*188 bytes)
// on pid. Packet i carries min(capacity, bytes left - packets left)
// bytes, so full packets come first and every packet carries at least one
// byte (n ≤ PES size): extra packets planned to realign the continuity
// counters carry payload, as ISO 13818-1 wants of packets that count.
// Shortfalls are filled with adaptation-field stuffing. The first packet
// carries the PCR when pcr ≥ 0, with random_access_indicator when rai.
type pesWriter struct {
	out  []byte
	n, i int // packets, index of the next packet to open
	left int // PES bytes not yet written
	room int // payload bytes left in the open packet
	pos  int // write position in out
	pid  uint16
	cc   byte
	pcr  int64
	rai  bool
}

func (w *pesWriter) reset(out []byte, n, size int, pid uint16, cc byte, pcr int64, rai bool) {
	*w = pesWriter{out: out, n: n, left: size, pid: pid, cc: cc, pcr: pcr, rai: rai}
}

// open writes the header and adaptation field of the next packet.
func (w *pesWriter) open() {
	p := w.out[w.i*packetSize : (w.i+1)*packetSize]
	capacity := payloadSize
	withPCR := w.i == 0 && w.pcr >= 0
	if withPCR {
		capacity -= pcrAF
	}
	c := min(capacity, w.left-(w.n-1-w.i))
	af := payloadSize - c
	p[0] = 0x47
	p[1] = byte(w.pid >> 8)
	if w.i == 0 {
		p[1] |= 0x40
	}
	p[2] = byte(w.pid)
	if af == 0 {
		p[3] = 0x10 | w.cc
	} else {
		p[3] = 0x30 | w.cc
		p[4] = byte(af - 1)
		if af > 1 {
			var flags byte
			j := 6
			if withPCR {
				flags = 0x10
				if w.rai {
					flags |= 0x40
				}
				base := uint64(w.pcr) & mask33
				p[6], p[7], p[8], p[9] = byte(base>>25), byte(base>>17), byte(base>>9), byte(base>>1)
				p[10], p[11] = byte(base<<7)|0x7e, 0
				j = 12
			}
			p[5] = flags
			for ; j < 4+af; j++ {
				p[j] = 0xff
			}
		}
	}
	w.pos = w.i*packetSize + 4 + af
	w.room = c
	w.left -= c
	w.cc = (w.cc + 1) & 0x0f
	w.i++
}

// write appends PES bytes; the caller never writes more than planned.
func (w *pesWriter) write(b []byte) {
	for len(b) > 0 {
		if w.room == 0 {
			w.open()
		}
		c := copy(w.out[w.pos:w.pos+min(w.room, len(b))], b)
		w.pos += c
		w.room -= c
		b = b[c:]
	}
}

// zero appends n zero bytes.
func (w *pesWriter) zero(n int) {
	for n > 0 {
		if w.room == 0 {
			w.open()
		}
		c := min(w.room, n)
		clear(w.out[w.pos : w.pos+c])
		w.pos += c
		w.room -= c
		n -= c
	}
}

// done reports whether exactly the planned bytes and packets were written.
func (w *pesWriter) done() bool { return w.i == w.n && w.left == 0 && w.room == 0 }

// packetsFor is the fewest packets a PES of size bytes needs.
func packetsFor(size int, pcr bool) int {
	first := payloadSize
	if pcr {
		first -= pcrAF
	}
	if size <= first {
		return 1
	}
	return 1 + (size-first+payloadSize-1)/payloadSize
}
