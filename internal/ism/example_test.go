package ism_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/lockstream/lockstream/internal/ism"
)

func ExampleParse() {
	const in = `<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<smil xmlns="http://www.w3.org/2001/SMIL20/Language">
  <head><meta name="formats" content="mp4-v3" /></head>
  <body><switch>
    <video src="video_3400000.mp4" systemBitrate="3400000"><param name="trackID" value="1" valuetype="data" /><param name="trackName" value="video" valuetype="data" /></video>
    <audio src="audio_eng.mp4" systemBitrate="128000" systemLanguage="eng"><param name="trackID" value="1" valuetype="data" /><param name="trackName" value="aac_eng_2_128041_2_1" valuetype="data" /></audio>
  </switch></body></smil>`
	m, err := ism.Parse(strings.NewReader(in))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range m.Entries {
		fmt.Println(e.Kind, e.Src, e.SystemBitrate, e.Language, e.TrackID, e.TrackName)
	}
	// Output:
	// video video_3400000.mp4 3400000  1 video
	// audio audio_eng.mp4 128000 eng 1 aac_eng_2_128041_2_1
}

func ExampleMarshal() {
	m := &ism.Manifest{
		Meta: ism.DefaultMeta(),
		Entries: []ism.Entry{
			{Kind: ism.KindVideo, Src: "video_1000000.mp4", SystemBitrate: 1000000, TrackID: 1, TrackName: "video"},
		},
	}
	b, err := ism.Marshal(m)
	if err != nil {
		fmt.Println(err)
		return
	}
	os.Stdout.Write(b)
	// Output:
	// <?xml version="1.0" encoding="utf-8" standalone="yes"?>
	// <smil xmlns="http://www.w3.org/2001/SMIL20/Language">
	//   <head>
	//     <meta name="formats" content="mp4-v3" />
	//   </head>
	//   <body>
	//     <switch>
	//       <video src="video_1000000.mp4" systemBitrate="1000000">
	//         <param name="trackID" value="1" valuetype="data" />
	//         <param name="trackName" value="video" valuetype="data" />
	//       </video>
	//     </switch>
	//   </body>
	// </smil>
}
