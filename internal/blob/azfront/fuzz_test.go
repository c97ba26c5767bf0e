package azfront

import (
	"bytes"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// FuzzParseBlockList: any body either parses into at most maxBlocks
// entries whose ids are 1–64 bytes, or fails with one of the parser's
// errors; never a panic.
func FuzzParseBlockList(f *testing.F) {
	id := base64.StdEncoding.EncodeToString([]byte("block-0001"))
	for _, s := range []string{
		`<?xml version="1.0" encoding="utf-8"?><BlockList><Latest>` + id + `</Latest></BlockList>`,
		`<BlockList><Committed>` + id + `</Committed><Uncommitted>` + id + `</Uncommitted><Latest> ` + id + ` </Latest></BlockList>`,
		`<BlockList></BlockList>`,
		`<!DOCTYPE x [<!ENTITY a "b">]><BlockList/>`,
		`<BlockList><Latest><x/></Latest></BlockList>`,
		`<BlockList><Latest>!!!</Latest></BlockList>`,
		`<BlockList>text</BlockList>`,
		``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		refs, err := parseBlockList(bytes.NewReader(body), 8)
		if err != nil {
			if !errors.Is(err, errInvalidXML) && !errors.Is(err, errInvalidID) && !errors.Is(err, ErrBlockLimit) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if len(refs) > 8 {
			t.Fatalf("%d entries; the cap is 8", len(refs))
		}
		for _, r := range refs {
			if len(r.ID) == 0 || len(r.ID) > maxBlockIDBytes {
				t.Fatalf("id of %d bytes accepted", len(r.ID))
			}
		}
	})
}

// FuzzParseRange: a Range header yields no range, a valid one (start ≥ 0,
// end < 0 or ≥ start), or an Azure error; never a panic.
func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"bytes=0-", "bytes=5-10", "bytes=10-5", "bytes=-5", "bytes=0-1,3-4", "items=0-1", "", "bytes=99999999999999999999-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		r, _ := http.NewRequest(http.MethodGet, "http://x/c/b", nil)
		r.Header.Set("x-ms-range", v)
		br, aerr := parseRange(r)
		if aerr != nil {
			if aerr.status != http.StatusBadRequest && aerr.status != http.StatusRequestedRangeNotSatisfiable {
				t.Fatalf("status %d", aerr.status)
			}
			return
		}
		if strings.TrimSpace(v) == "" {
			if br != nil {
				t.Fatal("range from an empty header")
			}
			return
		}
		if br == nil || br.start < 0 || (br.end >= 0 && br.end < br.start) {
			t.Fatalf("invalid range %+v from %q", br, v)
		}
	})
}
