// Package hls packages a presentation View as HTTP Live Streaming, the
// way AMS dynamic packaging did for format=m3u8-aapl (HLS v4, MPEG-TS,
// audio renditions), m3u8-aapl-v3 (HLS v3, audio muxed into the video
// segments) and m3u8-cmaf (HLS v7, fMP4/CMAF segments).
//
// # API
//
//   - Master: the multivariant playlist.
//   - MediaPlaylist: a track's VOD media playlist, or its I-frame playlist
//     (MediaOptions.Keyframes).
//   - TSSegment / AppendTSSegment: an MPEG-TS segment (video, video with
//     muxed audio, or audio only).
//   - TSSegmentWith / AppendTSSegmentWith: the same with TSOptions, which
//     encrypt it (AES-128 or SAMPLE-AES, below).
//   - CMAFInit, CMAFSegment, CMAFKeyframe: the fMP4 outputs.
//
// Requests outside the view (a filtered track, a segment outside the time
// window) fail with ErrNotFound; malformed or unsupported media wrap
// media.ErrMalformed / media.ErrUnsupported.
//
// # URLs
//
// Sub-resource URIs follow ams-v3-api.md §9.2, with View.Suffix (which
// starts with "," and holds format=, encryption=, filter=; never
// type=keyframes or audiotrack=) inside the parentheses:
//
//	QualityLevels(<bitrate>)/Manifest(<track><suffix>)                    media playlist
//	QualityLevels(<bitrate>)/Manifest(<track><suffix>,audiotrack=<a>)     v3 video, audio a muxed in
//	QualityLevels(<bitrate>)/Manifest(<track><suffix>,type=keyframes)     I-frame playlist
//	Fragments(<track>=<start><suffix>[,audiotrack=<a>])                   segment (start: decode time, track timescale)
//	Fragments(<track>=i<suffix>)                                          CMAF init (EXT-X-MAP)
//	Fragments(<track>=<dts><suffix>,type=keyframes)                       CMAF I-frame fragment
//
// Playlist URIs are relative to the multivariant playlist, segment URIs
// to their media playlist, so all resolve under …/<name>.ism/.
//
// # Multivariant playlist
//
// m3u8-aapl and m3u8-cmaf put the audio tracks in EXT-X-MEDIA TYPE=AUDIO
// groups, one per codec string (GROUP-ID "audio-<codec>"), one rendition
// per track with NAME = track name, LANGUAGE (ISO 639-1 when one exists),
// CHANNELS, AUTOSELECT, and DEFAULT on the group's first track. Each video
// track gets one EXT-X-STREAM-INF per group: BANDWIDTH is the video peak
// (MaxBitrate, the largest one-second window) plus the group's largest
// audio peak, AVERAGE-BANDWIDTH the same sum of Bitrates, CODECS the
// tracks' RFC 6381 strings, RESOLUTION and FRAME-RATE (3 decimals). An
// audio-only variant per group (pointing at the group's default rendition)
// follows unless audio-only=false, as AMS did for players that fall back
// to audio; presentations without video always get it. Each video track
// also gets an EXT-X-I-FRAME-STREAM-INF whose bandwidths are computed
// from the sync samples' sizes over their display times. m3u8-aapl-v3 has
// no groups: each video variant muxes the view's first audio track (its
// URI says so with audiotrack=), and the audio-only variant plays that
// track alone; v3 has no I-frame playlists (they need version 4).
// BANDWIDTH values do not add container overhead (a few percent for TS);
// the one-second peak already exceeds a segment-long peak.
//
// # Media playlists
//
// VOD playlists (EXT-X-PLAYLIST-TYPE:VOD, EXT-X-ENDLIST,
// EXT-X-INDEPENDENT-SEGMENTS) list the segments inside View.Window,
// EXT-X-MEDIA-SEQUENCE being the first one's index so that numbers stay
// stable under time filters. EXTINF has 3 decimals; EXT-X-TARGETDURATION
// is the ceiling of the longest segment. Versions: 3 (v3), 4 (aapl), 5
// (TS I-frames), 7 (CMAF); at least 5 when a key carries KEYFORMAT or
// SAMPLE-AES.
//
// I-frame playlists list every sync sample (segments start on one, longer
// ones hold several), each lasting until the next sync sample.
//
//   - TS: EXT-X-BYTERANGE of exactly the TS packets of the sync sample's
//     PES inside the segment the origin serves for that URI, plus an
//     EXT-X-MAP of the same segment's first 376 bytes (PAT and PMT), since
//     RFC 8216 §4.3.3.6 requires I-frame segments to come with their
//     initialization section. The ranges come from the segment's packet
//     plan, which depends on sample metadata only (below), so the playlist
//     costs no media reads.
//   - CMAF: a byte range cannot cut a single frame out of a multi-sample
//     fragment (its moof describes every sample), so each I-frame has its
//     own URL (type=keyframes) served by CMAFKeyframe: the sync sample
//     alone in a CMAF fragment whose sample duration reaches the next
//     sync sample, sharing the track's regular init segment.
//
// # MPEG-TS segments
//
// The muxer is written by hand for speed (go-astits serves as the
// independent demuxer in the tests). Each segment is PAT, PMT, then one
// PES per video access unit and one per group of audio frames (up to
// 100 ms), interleaved by decode time. Program 1, PMT PID 0x1000, video
// PID 0x100 (H.264 0x1B, H.265 0x24), audio PID 0x101 (AAC as ADTS 0x0F,
// AC-3 0x81 and E-AC-3 0x87 with registration descriptors and stream id
// 0xBD) with an ISO 639 language descriptor. Video access units are
// converted from length-prefixed NAL units to Annex B with an access unit
// delimiter first and the parameter sets (VPS/SPS/PPS) before every sync
// sample; in-band AUDs are dropped. AAC frames get ADTS headers built from
// the AudioSpecificConfig (HE-AAC signalled implicitly at its core rate).
//
// Timestamps are 90 kHz with a 10 s offset. Video DTS = decode time minus
// Track.EditShift (the composition delay media folded into the
// composition offsets, which fMP4 keeps but TS, requiring PTS ≥ DTS,
// cannot), video PTS = decode time + composition offset, audio PTS =
// decode time: presentation times are those of the fMP4 outputs, so TS
// and CMAF renditions align. The PCR rides on the first packet of every
// PES of the PCR PID (video, else audio), 0.7 s ahead of its DTS; sync
// samples carry random_access_indicator.
//
// Segments are deterministic: the same request gives the same bytes. PAT
// and PMT use continuity counter k mod 16 (one of each per segment), and
// every elementary stream starts at 0 and ends on 15: the last PES of each
// stream is spread over a few more packets so that the stream's packet
// count is a multiple of 16. Every packet still carries payload (ISO
// 13818-1 counts only those), so counters run continuously across
// consecutive segments although each segment is made alone — demuxers that
// read segments as one stream (ffmpeg, hls.js) see no discontinuity.
//
// The packet layout of a segment is planned before any byte is written,
// from the sample table alone: with 4-byte NAL lengths an access unit's
// Annex B size is AUD + parameter sets (sync samples) + sample size;
// dropped in-band AUDs are made up with trailing zero bytes, which Annex B
// allows. AppendTSSegment allocates (or appends to) the output once at
// its exact size and fills it in one pass, sample bytes read into pooled
// buffers; TSStream writes the same bytes a chunk of whole PES units at a
// time, reading each unit's samples as it goes, so a request never holds
// the segment. Other NAL length sizes are converted too, but sized from
// the data, so their I-frame playlists fail with media.ErrUnsupported and
// they are not streamed.
//
// When audio is muxed into video segment k, the audio segment is the one
// whose start is closest in time to the video segment's, not index k.
//
// # TS encryption
//
// TSAES128 encrypts the finished segment in place with AES-128-CBC and
// PKCS#7 padding (cenc.Cipher.SealSegment); its IV is the playlist's, or
// the media sequence number k. TSStream encrypts chunk by chunk with the
// same CBC chain, carrying each chunk's partial last block into the next
// and padding at the end: the same bytes, sized by cenc.SealedSize. TSSampleAES follows Apple's "MPEG-2 Stream
// Encryption Format for HTTP Live Streaming" (FairPlay): H.264 slices are
// encrypted in the 1:9 pattern after a 32-byte clear leader, emulation
// prevention removed before and applied again after (so NAL units may
// change size, and the packet layout is then planned from the encrypted
// data, without padding), AAC frames after a 16-byte clear leader; the
// PMT signals stream types 0xDB and 0xCF with private data indicators
// 'zavc' and 'aacd' and the AAC setup information in an 'apad'
// registration descriptor. SAMPLE-AES covers H.264 and AAC only. Neither
// method keeps the byte ranges of TS I-frame playlists usable: an AES-128
// range cannot be decrypted alone (CBC chains through the whole segment),
// and SAMPLE-AES changes the packet layout they are computed from.
package hls
