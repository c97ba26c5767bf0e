package widevine_test

import (
	"fmt"

	"github.com/lockstream/lockstream/internal/drm/widevine"
	"github.com/lockstream/lockstream/internal/keys"
)

func ExampleDataURI() {
	kid, _ := keys.ParseKID("8ba94ade-6eb9-449d-b44f-a5beefaf43b0")
	p, err := widevine.PsshData{KeyIDs: []keys.KID{kid}, ProtectionScheme: widevine.SchemeCBCS}.PSSH()
	if err != nil {
		panic(err)
	}
	uri, err := widevine.DataURI(p)
	if err != nil {
		panic(err)
	}
	fmt.Printf("#EXT-X-KEY:METHOD=SAMPLE-AES,URI=%q,KEYID=0x%x,KEYFORMAT=%q,KEYFORMATVERSIONS=%q\n",
		uri, kid[:], widevine.KeyFormat, widevine.KeyFormatVersions)
	// Output:
	// #EXT-X-KEY:METHOD=SAMPLE-AES,URI="data:text/plain;base64,AAAAOHBzc2gAAAAA7e+LqXnWSs6jyCfc1R0h7QAAABgSEIupSt5uuUSdtE+lvu+vQ7BI88aJmwY=",KEYID=0x8ba94ade6eb9449db44fa5beefaf43b0,KEYFORMAT="urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed",KEYFORMATVERSIONS="1"
}
