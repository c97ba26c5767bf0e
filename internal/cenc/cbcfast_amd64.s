#include "textflag.h"

// func cbcStrideAsm(rk *roundKeys, chain *[16]byte, buf *byte, stride, n int)
//
// AES-128-CBC encryption in place of n blocks at buf, buf+stride, …:
// X1–X11 hold the 11 round keys, X0 the chain (IV, then each ciphertext).
TEXT ·cbcStrideAsm(SB), NOSPLIT, $0-40
	MOVQ rk+0(FP), AX
	MOVQ chain+8(FP), BX
	MOVQ buf+16(FP), SI
	MOVQ stride+24(FP), DX
	MOVQ n+32(FP), CX
	MOVUPS 0(AX), X1
	MOVUPS 16(AX), X2
	MOVUPS 32(AX), X3
	MOVUPS 48(AX), X4
	MOVUPS 64(AX), X5
	MOVUPS 80(AX), X6
	MOVUPS 96(AX), X7
	MOVUPS 112(AX), X8
	MOVUPS 128(AX), X9
	MOVUPS 144(AX), X10
	MOVUPS 160(AX), X11
	MOVUPS (BX), X0
	TESTQ CX, CX
	JZ done

loop:
	MOVUPS (SI), X12
	PXOR X1, X12
	PXOR X12, X0
	AESENC X2, X0
	AESENC X3, X0
	AESENC X4, X0
	AESENC X5, X0
	AESENC X6, X0
	AESENC X7, X0
	AESENC X8, X0
	AESENC X9, X0
	AESENC X10, X0
	AESENCLAST X11, X0
	MOVUPS X0, (SI)
	ADDQ DX, SI
	DECQ CX
	JNZ loop

done:
	MOVUPS X0, (BX)
	RET
