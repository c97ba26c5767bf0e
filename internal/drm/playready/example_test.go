package playready_test

import (
	"encoding/base64"
	"fmt"

	"github.com/lockstream/lockstream/internal/drm/playready"
	"github.com/lockstream/lockstream/internal/keys"
)

func ExampleNewHeader() {
	kid, _ := keys.ParseKID("8ba94ade-6eb9-449d-b44f-a5beefaf43b0")
	key, _ := keys.ParseKeyBase64("2/1pIsMhxLtIb0ocRAl+1g==")

	h, err := playready.NewHeader("cenc", []playready.HeaderKey{{KID: kid, Key: &key}})
	if err != nil {
		panic(err)
	}
	h.LAURL = "https://lic.example.com/PlayReady/"
	x, err := h.Marshal()
	if err != nil {
		panic(err)
	}
	fmt.Println(x)

	// The PlayReady Object goes, base64 encoded, into a DASH <mspr:pro>.
	pro, err := h.Object()
	if err != nil {
		panic(err)
	}
	fmt.Println(len(pro), base64.StdEncoding.EncodeToString(pro[:10]))
	// Output:
	// <WRMHEADER xmlns="http://schemas.microsoft.com/DRM/2007/03/PlayReadyHeader" version="4.0.0.0"><DATA><PROTECTINFO><KEYLEN>16</KEYLEN><ALGID>AESCTR</ALGID></PROTECTINFO><KID>3kqpi7lunUS0T6W+769DsA==</KID><CHECKSUM>Me48z71nuqY=</CHECKSUM><LA_URL>https://lic.example.com/PlayReady/</LA_URL></DATA></WRMHEADER>
	// 620 bAIAAAEAAQBiAg==
}

func ExampleKeyFromSeed() {
	// Microsoft's public test key seed; never use it for real content.
	seed, _ := base64.StdEncoding.DecodeString("XVBovsmzhP9gRIZxWfFta3VVRPzVEWmJsazEJ46I")
	kid, _ := keys.ParseKID("339C45B5-FB6D-4BD9-994C-EABD9D41C95B")
	key, err := playready.KeyFromSeed(seed, kid)
	if err != nil {
		panic(err)
	}
	fmt.Println(key.Base64(), base64.StdEncoding.EncodeToString(playready.Checksum(kid, key)))
	// Output:
	// pTfNwMplhBQG1SXnvyLXVA== Dnd2+tOluB4=
}

func ExampleParseHeader() {
	// A header as another packager might write it: pretty-printed, with
	// self-closing elements and attributes out of order.
	text := `<WRMHEADER xmlns="http://schemas.microsoft.com/DRM/2007/03/PlayReadyHeader" version="4.3.0.0">
  <DATA>
    <PROTECTINFO><KIDS><KID VALUE="3kqpi7lunUS0T6W+769DsA==" ALGID="AESCBC"/></KIDS></PROTECTINFO>
    <LA_URL>https://lic.example.com/pr</LA_URL>
  </DATA>
</WRMHEADER>`
	h, err := playready.ParseHeader(text)
	if err != nil {
		panic(err)
	}
	fmt.Println(h.Version, h.Algorithm, h.Keys[0].KID, h.LAURL)
	canon, err := h.Marshal()
	if err != nil {
		panic(err)
	}
	fmt.Println(canon)
	// Output:
	// 4.3.0.0 AESCBC 8ba94ade-6eb9-449d-b44f-a5beefaf43b0 https://lic.example.com/pr
	// <WRMHEADER xmlns="http://schemas.microsoft.com/DRM/2007/03/PlayReadyHeader" version="4.3.0.0"><DATA><PROTECTINFO><KIDS><KID ALGID="AESCBC" VALUE="3kqpi7lunUS0T6W+769DsA=="></KID></KIDS></PROTECTINFO><LA_URL>https://lic.example.com/pr</LA_URL></DATA></WRMHEADER>
}
