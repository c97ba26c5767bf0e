package ksm

import "crypto/subtle"

func subtleEqual(a, b []byte) int { return subtle.ConstantTimeCompare(a, b) }
