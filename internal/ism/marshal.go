package ism

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"slices"
	"strconv"
)

// Marshal writes m in the dialect AMS wrote: UTF-8 declaration with
// standalone="yes", the SMIL 2.0 namespace, two-space indentation, and for
// each entry src, systemBitrate and systemLanguage attributes followed by
// trackID, trackName and then the other params sorted by name, each with
// valuetype="data". Video and audio always get systemBitrate; a text
// stream only when it is not 0. It checks m with Parse's rules first and
// returns an error wrapping ErrInvalid instead of writing a file Parse
// would refuse.
func Marshal(m *Manifest) ([]byte, error) {
	if m == nil {
		return nil, fmt.Errorf("%w: nil manifest", ErrInvalid)
	}
	if err := m.validate(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8" standalone="yes"?>` + "\n")
	b.WriteString(`<smil xmlns="` + Namespace + `">` + "\n")
	if len(m.Meta) == 0 {
		b.WriteString("  <head />\n")
	} else {
		b.WriteString("  <head>\n")
		for _, mt := range m.Meta {
			b.WriteString("    <meta")
			attr(&b, "name", mt.Name)
			attr(&b, "content", mt.Content)
			b.WriteString(" />\n")
		}
		b.WriteString("  </head>\n")
	}
	b.WriteString("  <body>\n    <switch>\n")
	for i := range m.Entries {
		writeEntry(&b, &m.Entries[i])
	}
	b.WriteString("    </switch>\n  </body>\n</smil>\n")
	return b.Bytes(), nil
}

func writeEntry(b *bytes.Buffer, e *Entry) {
	b.WriteString("      <" + e.Kind)
	attr(b, "src", e.Src)
	if e.Kind != KindTextStream || e.SystemBitrate != 0 {
		attr(b, "systemBitrate", strconv.FormatUint(e.SystemBitrate, 10))
	}
	if e.Language != "" {
		attr(b, "systemLanguage", e.Language)
	}
	type param struct{ name, value string }
	var ps []param
	if e.TrackID != 0 {
		ps = append(ps, param{ParamTrackID, strconv.FormatUint(uint64(e.TrackID), 10)})
	}
	if e.TrackName != "" {
		ps = append(ps, param{ParamTrackName, e.TrackName})
	}
	names := make([]string, 0, len(e.Params))
	for n := range e.Params {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		ps = append(ps, param{n, e.Params[n]})
	}
	if len(ps) == 0 {
		b.WriteString(" />\n")
		return
	}
	b.WriteString(">\n")
	for _, p := range ps {
		b.WriteString("        <param")
		attr(b, "name", p.name)
		attr(b, "value", p.value)
		b.WriteString(` valuetype="data" />` + "\n")
	}
	b.WriteString("      </" + e.Kind + ">\n")
}

// attr writes ` name="value"` with value escaped. xml.EscapeText escapes
// quotes and also tab, CR and LF, so that attribute-value normalisation
// cannot change them on the way back in.
func attr(b *bytes.Buffer, name, value string) {
	b.WriteString(" " + name + `="`)
	_ = xml.EscapeText(b, []byte(value)) // a bytes.Buffer never fails
	b.WriteByte('"')
}
