package streamurl_test

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/lockstream/lockstream/internal/streamurl"
)

func ExampleParse() {
	r, err := streamurl.Parse("/9D9F2A5C-7A4E-4B8E-9D0B-1F2E3D4C5B6A/video.ism/QualityLevels(128041)/Fragments(aac_eng_2_128041_2_1=i,Format=MPD-TIME-CSF)")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Kind, r.Format.Protocol(), r.Bitrate, r.Track, r.Init)
	fmt.Println(r.Path())
	// Output:
	// fragment Dash 128041 aac_eng_2_128041_2_1 true
	// /9d9f2a5c-7a4e-4b8e-9d0b-1f2e3d4c5b6a/video.ism/QualityLevels(128041)/Fragments(aac_eng_2_128041_2_1=i,format=mpd-time-csf)
}

func ExampleFragmentPath() {
	// A request's Args propagate into the sub-URLs of the manifest it gets.
	r, _ := streamurl.Parse("/9d9f2a5c-7a4e-4b8e-9d0b-1f2e3d4c5b6a/video.ism/manifest(format=m3u8-aapl,encryption=cbcs-aapl)")
	fmt.Println(streamurl.PlaylistPath(strconv.Itoa(3400000), "video", r.Args, ""))
	fmt.Println(streamurl.FragmentPath("3400000", "video", "0", r.Args, ""))
	// Output:
	// QualityLevels(3400000)/Manifest(video,format=m3u8-aapl,encryption=cbcs-aapl)
	// QualityLevels(3400000)/Fragments(video=0,format=m3u8-aapl,encryption=cbcs-aapl)
}

func ExampleError() {
	_, err := streamurl.Parse("/9d9f2a5c-7a4e-4b8e-9d0b-1f2e3d4c5b6a/video.ism/manifest(format=m3u8-foo)")
	var e *streamurl.Error
	if errors.As(err, &e) {
		fmt.Println(e.Status, e.Code, e.Msg)
	}
	// Output:
	// 400 MPE_BAD_URL_SYNTAX format value "m3u8-foo" is not supported
}
