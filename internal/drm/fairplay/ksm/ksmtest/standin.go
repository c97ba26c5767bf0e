package ksmtest

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// StandInBanner is the stand-in helper's health-check answer.
const StandInBanner = "lockstream stand-in derivation (HMAC-SHA256, NOT Apple's D function; tests only)"

// StandInDASk is the stand-in derivation: HMAC-SHA256(ASk, label‖R2)[:16].
func StandInDASk(ask [16]byte, r2 []byte) [16]byte {
	m := hmac.New(sha256.New, ask[:])
	m.Write([]byte("lockstream-standin-D/not-apple\x00"))
	m.Write(r2)
	var out [16]byte
	copy(out[:], m.Sum(nil))
	return out
}

// StandIn implements ksm.Deriver in process.
func StandIn(_ context.Context, ask [16]byte, r2 []byte) ([16]byte, error) {
	return StandInDASk(ask, r2), nil
}

// ServeHelper speaks the helper line protocol (see package ksm) on r/w
// with the stand-in derivation, until r ends. Tests run their own binary
// as the helper with it.
func ServeHelper(r io.Reader, w io.Writer) error {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		var answer string
		switch {
		case len(f) == 1 && f[0] == "PING":
			answer = "PONG " + StandInBanner
		case len(f) == 3 && f[0] == "DASK":
			ask, err1 := hex.DecodeString(f[1])
			r2, err2 := hex.DecodeString(f[2])
			if err1 != nil || err2 != nil || len(ask) != 16 {
				answer = "ERR bad arguments"
				break
			}
			d := StandInDASk([16]byte(ask), r2)
			answer = "OK " + hex.EncodeToString(d[:])
		default:
			answer = "ERR unknown command"
		}
		if _, err := fmt.Fprintln(w, answer); err != nil {
			return err
		}
	}
	return sc.Err()
}
