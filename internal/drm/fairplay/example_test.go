package fairplay_test

import (
	"fmt"

	"github.com/lockstream/lockstream/internal/drm/fairplay"
	"github.com/lockstream/lockstream/internal/keys"
)

func ExampleSKDURI() {
	kid, _ := keys.ParseKID("8ba94ade-6eb9-449d-b44f-a5beefaf43b0")
	uri := fairplay.SKDURI("media.example.com", kid)
	fmt.Printf("#EXT-X-KEY:METHOD=SAMPLE-AES,URI=%q,KEYFORMAT=%q,KEYFORMATVERSIONS=%q\n",
		uri, fairplay.KeyFormat, fairplay.KeyFormatVersions)
	// Output:
	// #EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://media.example.com/FairPlay/?kid=8ba94ade-6eb9-449d-b44f-a5beefaf43b0",KEYFORMAT="com.apple.streamingkeydelivery",KEYFORMATVERSIONS="1"
}

func ExampleParseSKDURI() {
	host, kid, err := fairplay.ParseSKDURI("skd://media.example.com/FairPlay/?kid=8BA94ADE-6EB9-449D-B44F-A5BEEFAF43B0")
	fmt.Println(host, kid, err)
	// Output:
	// media.example.com 8ba94ade-6eb9-449d-b44f-a5beefaf43b0 <nil>
}
