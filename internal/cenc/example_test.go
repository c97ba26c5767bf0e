package cenc_test

import (
	"fmt"

	"github.com/lockstream/lockstream/internal/cenc"
	"github.com/lockstream/lockstream/internal/keys"
)

func ExampleCipher_SealSegment() {
	c, err := cenc.NewCipher(keys.Key{15: 1}) // from the content key store in production
	if err != nil {
		panic(err)
	}
	// Reserve SealOverhead bytes so that the padding needs no copy.
	seg := make([]byte, 0, 188+cenc.SealOverhead)
	seg = append(seg, 0x47) // a TS segment: sync byte, ...
	seg = append(seg, make([]byte, 187)...)
	sealed, err := c.SealSegment(seg, 0, cenc.SequenceIV(5)) // media sequence number 5
	if err != nil {
		panic(err)
	}
	fmt.Println(len(sealed), cenc.SealedSize(188), &sealed[0] == &seg[:1][0])
	fmt.Printf("IV=0x%x\n", cenc.SequenceIV(5))
	// Output:
	// 192 192 true
	// IV=0x00000000000000000000000000000005
}

func ExampleDeriveConstantIV() {
	kid, err := keys.ParseKID("a7e61c37-3e21-9033-c210-91fa607bf3b8")
	if err != nil {
		panic(err)
	}
	// The cbcs IV of every track under kid, unless the caller has one.
	fmt.Printf("%x\n", cenc.DeriveConstantIV(kid))
	// Output:
	// 75146eee62e6e9606ed2e9d310d8fdef
}
