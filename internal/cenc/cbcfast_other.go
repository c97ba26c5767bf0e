//go:build !amd64

package cenc

// haveAESNI: no assembly loop on this architecture.
const haveAESNI = false

func cbcStrideAsm(*roundKeys, *[16]byte, *byte, int, int) {
	panic("cenc: no AES-NI loop on this architecture")
}

func ctrXORAsm(*roundKeys, *[16]byte, *byte, *byte, int) {
	panic("cenc: no AES-NI loop on this architecture")
}
