package azfront

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// FuzzParseBlockList: any body either parses and decodes into at most
// maxBlocks entries whose ids are 1–64 bytes, or fails with one of the
// parser's or decoder's errors; never a panic.
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
		entries, err := parseBlockList(bytes.NewReader(body), 8)
		var refs []BlockRef
		if err == nil {
			refs, err = decodeBlockList(entries)
		}
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

// FuzzParseBlockListRoundTrip feeds arbitrary bodies to the block list parser: it
// must return an error or a well-formed list, never panic, and an accepted
// list must survive a re-encode/parse round trip unchanged.
func FuzzParseBlockListRoundTrip(f *testing.F) {
	for _, s := range []string{
		`<?xml version="1.0" encoding="utf-8"?><BlockList><Latest>QUFB</Latest><Committed>QkJC</Committed><Uncommitted>Q0ND</Uncommitted></BlockList>`,
		`<BlockList></BlockList>`,
		`<BlockList><Latest>  QUFB  </Latest><!-- c --></BlockList>`,
		`<BlockList><Latest><x/></Latest></BlockList>`,
		`<BlockList><Other>QUFB</Other></BlockList>`,
		`<!DOCTYPE x [<!ENTITY a "b">]><BlockList><Latest>&a;</Latest></BlockList>`,
		`<BlockList><Latest>QUFB</Latest>`,
		`<BlockList/><BlockList/>`,
		`text<BlockList/>`,
		`<BlockList><Latest></Latest></BlockList>`,
		``,
		`<`,
	} {
		f.Add([]byte(s))
	}
	const maxBlocks = 50
	f.Fuzz(func(t *testing.T, body []byte) {
		refs, err := parseBlockList(strings.NewReader(string(body)), maxBlocks)
		if err != nil {
			if !errors.Is(err, errInvalidXML) && !errors.Is(err, ErrBlockLimit) {
				t.Fatalf("parseBlockList error %v is neither errInvalidXML nor ErrBlockLimit", err)
			}
			return
		}
		if len(refs) > maxBlocks {
			t.Fatalf("parseBlockList returned %d > %d blocks", len(refs), maxBlocks)
		}
		var b strings.Builder
		b.WriteString("<BlockList>")
		for _, r := range refs {
			if r.ID == "" || r.ID != strings.TrimSpace(r.ID) || len(r.ID) > maxIDChars {
				t.Fatalf("parseBlockList returned a malformed id %q", r.ID)
			}
			b.WriteString("<" + r.Kind.String() + ">")
			_ = xml.EscapeText(&b, []byte(r.ID))
			b.WriteString("</" + r.Kind.String() + ">")
		}
		b.WriteString("</BlockList>")
		again, err := parseBlockList(strings.NewReader(b.String()), maxBlocks)
		if err != nil || len(again) != len(refs) {
			t.Fatalf("round trip of %q: %v, %d entries", b.String(), err, len(again))
		}
		for i := range refs {
			if again[i] != refs[i] {
				t.Fatalf("round trip changed entry %d: %+v -> %+v", i, refs[i], again[i])
			}
		}
	})
}
