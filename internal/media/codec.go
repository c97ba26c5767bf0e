package media

import (
	"bytes"
	"fmt"

	"github.com/Eyevinn/mp4ff/aac"
	"github.com/Eyevinn/mp4ff/avc"
	"github.com/Eyevinn/mp4ff/hevc"
	"github.com/Eyevinn/mp4ff/mp4"
)

// describeEntry fills codec fields from the first sample description.
func describeEntry(t *Track, stsd *mp4.StsdBox) error {
	switch {
	case stsd.Encv != nil:
		return ErrEncrypted
	case stsd.AvcX != nil:
		e := stsd.AvcX
		if e.AvcC == nil || len(e.AvcC.SPSnalus) == 0 {
			return fmt.Errorf("%w: %s without avcC parameter sets", ErrUnsupported, e.Type())
		}
		t.Entry, t.FourCC = e, e.Type()
		t.Width, t.Height = int(e.Width), int(e.Height)
		sps, err := avc.ParseSPSNALUnit(e.AvcC.SPSnalus[0], true)
		if err != nil {
			return fmt.Errorf("%w: SPS: %v", ErrMalformed, err)
		}
		t.Codec = avc.CodecString(e.Type(), sps)
		t.ParamSets = append(append([][]byte{}, e.AvcC.SPSnalus...), e.AvcC.PPSnalus...)
		t.NALULengthSize = 4
	case stsd.HvcX != nil:
		e := stsd.HvcX
		if e.HvcC == nil {
			return fmt.Errorf("%w: %s without hvcC", ErrUnsupported, e.Type())
		}
		switch e.Type() {
		case "hvc1", "hev1":
		default:
			return fmt.Errorf("%w: video sample entry %q", ErrUnsupported, e.Type())
		}
		t.Entry, t.FourCC = e, e.Type()
		t.Width, t.Height = int(e.Width), int(e.Height)
		vps := e.HvcC.GetNalusForType(hevc.NALU_VPS)
		spss := e.HvcC.GetNalusForType(hevc.NALU_SPS)
		ppss := e.HvcC.GetNalusForType(hevc.NALU_PPS)
		if len(spss) == 0 {
			return fmt.Errorf("%w: hvcC without SPS", ErrUnsupported)
		}
		sps, err := hevc.ParseSPSNALUnit(spss[0])
		if err != nil {
			return fmt.Errorf("%w: SPS: %v", ErrMalformed, err)
		}
		t.Codec = hevc.CodecString(e.Type(), sps)
		t.ParamSets = append(append(append([][]byte{}, vps...), spss...), ppss...)
		t.NALULengthSize = 4
	case stsd.Mp4a != nil:
		e := stsd.Mp4a
		t.Entry, t.FourCC = e, "mp4a"
		t.SampleRate, t.Channels = int(e.SampleRate), int(e.ChannelCount)
		if e.Esds == nil || e.Esds.DecConfigDescriptor == nil || e.Esds.DecConfigDescriptor.DecSpecificInfo == nil {
			return fmt.Errorf("%w: mp4a without AudioSpecificConfig", ErrUnsupported)
		}
		dc := e.Esds.DecConfigDescriptor
		if dc.ObjectType != 0x40 {
			return fmt.Errorf("%w: mp4a object type 0x%02x (only MPEG-4 AAC)", ErrUnsupported, dc.ObjectType)
		}
		t.ASC = dc.DecSpecificInfo.DecConfig
		asc, err := aac.DecodeAudioSpecificConfig(bytes.NewReader(t.ASC))
		if err != nil {
			return fmt.Errorf("%w: AudioSpecificConfig: %v", ErrUnsupported, err)
		}
		// RFC 6381: HE-AAC signals as mp4a.40.5/29 only when explicitly
		// coded; players accept the base object type.
		t.Codec = fmt.Sprintf("mp4a.40.%d", asc.ObjectType)
		// The sample entry's channelcount is often a fixed 2; the ASC knows.
		switch c := asc.ChannelConfiguration; {
		case c >= 1 && c <= 6:
			t.Channels = int(c)
		case c == 7:
			t.Channels = 8
		}
		if asc.SamplingFrequency > 0 {
			t.SampleRate = asc.SamplingFrequency
		}
		if dc.AvgBitrate > 0 {
			t.Bitrate = uint64(dc.AvgBitrate)
		}
	case stsd.EC3 != nil:
		t.Entry, t.FourCC, t.Codec = stsd.EC3, "ec-3", "ec-3"
		t.SampleRate, t.Channels = int(stsd.EC3.SampleRate), int(stsd.EC3.ChannelCount)
	case stsd.AC3 != nil:
		t.Entry, t.FourCC, t.Codec = stsd.AC3, "ac-3", "ac-3"
		t.SampleRate, t.Channels = int(stsd.AC3.SampleRate), int(stsd.AC3.ChannelCount)
	default:
		if stsd.Enca != nil {
			return ErrEncrypted
		}
		return fmt.Errorf("%w: sample entry not supported (H.264, H.265, AAC, AC-3, E-AC-3 are)", ErrUnsupported)
	}
	return nil
}
