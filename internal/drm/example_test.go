package drm_test

import (
	"encoding/base64"
	"fmt"

	"github.com/lockstream/lockstream/internal/drm"
	"github.com/lockstream/lockstream/internal/keys"
)

func ExampleExpandTemplate() {
	kid, _ := keys.ParseKID("8ba94ade-6eb9-449d-b44f-a5beefaf43b0")
	fmt.Println(drm.ExpandTemplate(
		"https://drm.example.com/{AlternativeMediaId}/license?kid={ContentKeyId}",
		kid, "show 1/ep 2"))
	// Output:
	// https://drm.example.com/show%201%2Fep%202/license?kid=8ba94ade-6eb9-449d-b44f-a5beefaf43b0
}

func ExamplePSSH_Marshal() {
	kid, _ := keys.ParseKID("8ba94ade-6eb9-449d-b44f-a5beefaf43b0")
	p := drm.PSSH{Version: 1, SystemID: drm.Common, KIDs: []keys.KID{kid}}
	b, err := p.Marshal()
	if err != nil {
		panic(err)
	}
	// The base64 form goes into a DASH <cenc:pssh> element.
	fmt.Println(base64.StdEncoding.EncodeToString(b))
	// Output:
	// AAAANHBzc2gBAAAAEHfv7MCyTQKs4zweUuL7SwAAAAGLqUrebrlEnbRPpb7vr0OwAAAAAA==
}

func ExampleSystemID_URN() {
	fmt.Println(drm.Widevine.URN())
	// Output:
	// urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed
}
