package keys_test

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/lockstream/lockstream/internal/keys"
)

func ExampleKeyring_Seal() {
	// Production loads the KEK with LoadKEKFile or EnsureKEKFile.
	kek, err := keys.ParseKEK("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	if err != nil {
		panic(err)
	}
	ring, err := keys.NewKeyring(nil, kek) // nil: nonces from crypto/rand
	if err != nil {
		panic(err)
	}

	aad := []byte("contentkeys/locator-1/kid-1") // where the blob is stored
	sealed, err := ring.Seal([]byte("secret"), aad)
	if err != nil {
		panic(err)
	}
	pt, err := ring.Open(sealed, aad)
	fmt.Printf("%s %v\n", pt, err)

	_, err = ring.Open(sealed, []byte("contentkeys/locator-2/kid-1"))
	fmt.Println(errors.Is(err, keys.ErrCorrupt))
	fmt.Println(len(sealed) - len(pt))
	// Output:
	// secret <nil>
	// true
	// 33
}

func ExampleNewKey() {
	// Production passes crypto/rand.Reader (or nil); a fixed reader makes
	// the example deterministic.
	r := bytes.NewReader([]byte("0123456789abcdef"))
	key, err := keys.NewKey(r)
	if err != nil {
		panic(err)
	}
	fmt.Println(key)                 // never the value
	fmt.Printf("%#v %x\n", key, key) // not even this way
	fmt.Println(key.Base64())        // on purpose only
	fmt.Println(key == keys.Key([]byte("0123456789abcdef")))
	// Output:
	// Key(redacted)
	// Key(redacted) Key(redacted)
	// MDEyMzQ1Njc4OWFiY2RlZg==
	// true
}

func ExampleKID_PlayReadyBytes() {
	kid, err := keys.ParseKID("{10000000-1000-1000-1000-100000000001}")
	if err != nil {
		panic(err)
	}
	fmt.Println(kid)
	fmt.Printf("% x\n", kid.PlayReadyBytes())
	fmt.Println(kid.Base64URL())
	// Output:
	// 10000000-1000-1000-1000-100000000001
	// 00 00 00 10 00 10 00 10 10 00 10 00 00 00 00 01
	// EAAAABAAEAAQABAAAAAAAQ
}
