package clearkey_test

import (
	"encoding/base64"
	"fmt"

	"github.com/lockstream/lockstream/internal/drm/clearkey"
	"github.com/lockstream/lockstream/internal/keys"
)

func ExampleParseRequest() {
	// The body a browser's Clear Key CDM POSTs to the license URL.
	body := []byte(`{"kids":["i6lK3m65RJ20T6W-769DsA"],"type":"temporary"}`)
	kids, typ, err := clearkey.ParseRequest(body)
	if err != nil {
		panic(err)
	}
	fmt.Println(kids, typ)

	// After the key policy has authorised the request:
	key, _ := keys.ParseKeyBase64("2/1pIsMhxLtIb0ocRAl+1g==")
	fmt.Printf("%s\n", clearkey.Response([]clearkey.KeyPair{{KID: kids[0], Key: key}}, typ))
	// Output:
	// [8ba94ade-6eb9-449d-b44f-a5beefaf43b0] temporary
	// {"keys":[{"kty":"oct","kid":"i6lK3m65RJ20T6W-769DsA","k":"2_1pIsMhxLtIb0ocRAl-1g"}],"type":"temporary"}
}

func ExamplePSSH() {
	kid, _ := keys.ParseKID("8ba94ade-6eb9-449d-b44f-a5beefaf43b0")
	p, err := clearkey.PSSH([]keys.KID{kid})
	if err != nil {
		panic(err)
	}
	b, err := p.Marshal()
	if err != nil {
		panic(err)
	}
	fmt.Println(len(b), base64.StdEncoding.EncodeToString(b))
	// Output:
	// 52 AAAANHBzc2gBAAAAEHfv7MCyTQKs4zweUuL7SwAAAAGLqUrebrlEnbRPpb7vr0OwAAAAAA==
}
