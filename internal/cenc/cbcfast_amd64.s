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
	// Loop heads on a 32-byte boundary: otherwise their alignment, and
	// the loops' speed, moves with unrelated changes to the binary.
	PCALIGN $32

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

// func ctrXORAsm(rk *roundKeys, ctr *[16]byte, dst, src *byte, n int)
//
// AES-CTR, four blocks at a time: X4–X14 hold the round keys, X0–X3 four
// counter blocks (the IV half loaded from ctr, the counter half inserted
// byte-swapped from R8), X15 the source block they are XORed with.
TEXT ·ctrXORAsm(SB), NOSPLIT, $0-40
	MOVQ rk+0(FP), AX
	MOVQ ctr+8(FP), BX
	MOVQ dst+16(FP), DI
	MOVQ src+24(FP), SI
	MOVQ n+32(FP), CX
	MOVUPS 0(AX), X4
	MOVUPS 16(AX), X5
	MOVUPS 32(AX), X6
	MOVUPS 48(AX), X7
	MOVUPS 64(AX), X8
	MOVUPS 80(AX), X9
	MOVUPS 96(AX), X10
	MOVUPS 112(AX), X11
	MOVUPS 128(AX), X12
	MOVUPS 144(AX), X13
	MOVUPS 160(AX), X14
	MOVQ 8(BX), R8
	BSWAPQ R8
	TESTQ CX, CX
	JZ ctrdone
	PCALIGN $32

ctrloop:
	MOVUPS (BX), X0
	MOVQ R8, R9
	BSWAPQ R9
	PINSRQ $1, R9, X0
	INCQ R8
	MOVUPS (BX), X1
	MOVQ R8, R9
	BSWAPQ R9
	PINSRQ $1, R9, X1
	INCQ R8
	MOVUPS (BX), X2
	MOVQ R8, R9
	BSWAPQ R9
	PINSRQ $1, R9, X2
	INCQ R8
	MOVUPS (BX), X3
	MOVQ R8, R9
	BSWAPQ R9
	PINSRQ $1, R9, X3
	INCQ R8
	PXOR X4, X0
	PXOR X4, X1
	PXOR X4, X2
	PXOR X4, X3
	AESENC X5, X0
	AESENC X5, X1
	AESENC X5, X2
	AESENC X5, X3
	AESENC X6, X0
	AESENC X6, X1
	AESENC X6, X2
	AESENC X6, X3
	AESENC X7, X0
	AESENC X7, X1
	AESENC X7, X2
	AESENC X7, X3
	AESENC X8, X0
	AESENC X8, X1
	AESENC X8, X2
	AESENC X8, X3
	AESENC X9, X0
	AESENC X9, X1
	AESENC X9, X2
	AESENC X9, X3
	AESENC X10, X0
	AESENC X10, X1
	AESENC X10, X2
	AESENC X10, X3
	AESENC X11, X0
	AESENC X11, X1
	AESENC X11, X2
	AESENC X11, X3
	AESENC X12, X0
	AESENC X12, X1
	AESENC X12, X2
	AESENC X12, X3
	AESENC X13, X0
	AESENC X13, X1
	AESENC X13, X2
	AESENC X13, X3
	AESENCLAST X14, X0
	AESENCLAST X14, X1
	AESENCLAST X14, X2
	AESENCLAST X14, X3
	MOVUPS 0(SI), X15
	PXOR X15, X0
	MOVUPS X0, 0(DI)
	MOVUPS 16(SI), X15
	PXOR X15, X1
	MOVUPS X1, 16(DI)
	MOVUPS 32(SI), X15
	PXOR X15, X2
	MOVUPS X2, 32(DI)
	MOVUPS 48(SI), X15
	PXOR X15, X3
	MOVUPS X3, 48(DI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ CX
	JNZ ctrloop

ctrdone:
	RET
