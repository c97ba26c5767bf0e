package ism

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// XML shapes of the server manifest. Attributes of media elements are
// collected raw so that a missing attribute can be told from an empty one
// and a repeated one can be refused.
type (
	xSmil struct {
		XMLName xml.Name `xml:"smil"`
		Head    xHead    `xml:"head"`
		Body    []xBody  `xml:"body"`
	}
	xHead struct {
		Meta []xMeta `xml:"meta"`
	}
	xMeta struct {
		Attrs []xml.Attr `xml:",any,attr"`
	}
	xBody struct {
		Switch []xSwitch `xml:"switch"`
	}
	xSwitch struct {
		Items []xMedia `xml:",any"`
	}
	xMedia struct {
		XMLName xml.Name
		Attrs   []xml.Attr `xml:",any,attr"`
		Params  []xParam   `xml:"param"`
	}
	xParam struct {
		Attrs []xml.Attr `xml:",any,attr"`
	}
)

var utf8BOM = []byte("\xEF\xBB\xBF")

// Parse reads a server manifest from r (at most MaxSize bytes) and checks
// it. Errors wrap ErrTooLarge, ErrMalformed or ErrInvalid, or are read
// errors from r wrapped as "ism: read: …".
func Parse(r io.Reader) (*Manifest, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("ism: read: %w", err)
	}
	if len(b) > MaxSize {
		return nil, ErrTooLarge
	}
	// Windows tools (and .NET's XmlWriter with UTF-8) start files with a
	// byte-order mark, which encoding/xml does not skip.
	b = bytes.TrimPrefix(b, utf8BOM)

	var x xSmil
	d := xml.NewDecoder(bytes.NewReader(b))
	if err := d.Decode(&x); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrMalformed, clip(err.Error(), 200))
	}
	if err := checkTrailer(d); err != nil {
		return nil, err
	}
	return fromXML(&x)
}

// checkTrailer makes sure nothing but white space, comments and processing
// instructions follows the root element, so that two documents glued
// together are not read as the first one.
func checkTrailer(d *xml.Decoder) error {
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: after </smil>: %s", ErrMalformed, clip(err.Error(), 200))
		}
		switch t := tok.(type) {
		case xml.Comment, xml.ProcInst:
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return fmt.Errorf("%w: text after </smil>", ErrMalformed)
			}
		default:
			return fmt.Errorf("%w: content after </smil>", ErrMalformed)
		}
	}
}

func fromXML(x *xSmil) (*Manifest, error) {
	m := &Manifest{}
	for i, xm := range x.Head.Meta {
		attrs, err := plainAttrs(xm.Attrs, fmt.Sprintf("meta %d", i))
		if err != nil {
			return nil, err
		}
		name, ok := attrs["name"]
		if !ok {
			return nil, fmt.Errorf("%w: meta %d has no name", ErrInvalid, i)
		}
		m.Meta = append(m.Meta, Meta{Name: name, Content: attrs["content"]})
	}
	if len(x.Body) != 1 || len(x.Body[0].Switch) != 1 {
		return nil, fmt.Errorf("%w: expected one <body> holding one <switch>", ErrMalformed)
	}
	for i, xm := range x.Body[0].Switch[0].Items {
		e, err := entryFromXML(i, &xm)
		if err != nil {
			return nil, err
		}
		m.Entries = append(m.Entries, e)
	}
	if err := m.validate(); err != nil {
		return nil, err
	}
	return m, nil
}

func entryFromXML(i int, x *xMedia) (Entry, error) {
	e := Entry{Kind: x.XMLName.Local}
	where := fmt.Sprintf("entry %d (<%s>)", i, clip(e.Kind, 32))
	switch e.Kind {
	case KindVideo, KindAudio, KindTextStream:
	default:
		return e, fmt.Errorf("%w: %s: unsupported element", ErrInvalid, where)
	}
	attrs, err := plainAttrs(x.Attrs, where)
	if err != nil {
		return e, err
	}
	var ok bool
	if e.Src, ok = attrs["src"]; !ok {
		return e, fmt.Errorf("%w: %s: missing src", ErrInvalid, where)
	}
	if s, ok := attrs["systemBitrate"]; ok {
		if e.SystemBitrate, err = parseDecimal(s, 64); err != nil {
			return e, fmt.Errorf("%w: %s: systemBitrate %s: %w", ErrInvalid, where, quote(s), err)
		}
	} else if e.Kind != KindTextStream {
		return e, fmt.Errorf("%w: %s: missing systemBitrate", ErrInvalid, where)
	}
	e.Language = attrs["systemLanguage"]

	for j, xp := range x.Params {
		pwhere := fmt.Sprintf("%s: param %d", where, j)
		pa, err := plainAttrs(xp.Attrs, pwhere)
		if err != nil {
			return e, err
		}
		name, okName := pa["name"]
		value, okValue := pa["value"]
		if !okName || !okValue {
			return e, fmt.Errorf("%w: %s: needs name and value", ErrInvalid, pwhere)
		}
		switch {
		case strings.EqualFold(name, ParamTrackID):
			if e.TrackID != 0 {
				return e, fmt.Errorf("%w: %s: repeated trackID", ErrInvalid, pwhere)
			}
			id, err := parseDecimal(value, 32)
			if err != nil || id == 0 {
				return e, fmt.Errorf("%w: %s: trackID %s must be 1-4294967295", ErrInvalid, pwhere, quote(value))
			}
			e.TrackID = uint32(id)
		case strings.EqualFold(name, ParamTrackName):
			if e.TrackName != "" {
				return e, fmt.Errorf("%w: %s: repeated trackName", ErrInvalid, pwhere)
			}
			if value == "" {
				return e, fmt.Errorf("%w: %s: empty trackName", ErrInvalid, pwhere)
			}
			e.TrackName = value
		default:
			if _, dup := e.Params[name]; dup {
				return e, fmt.Errorf("%w: %s: repeated param %s", ErrInvalid, pwhere, quote(name))
			}
			if e.Params == nil {
				e.Params = map[string]string{}
			}
			e.Params[name] = value
		}
	}
	return e, nil
}

// plainAttrs maps the un-namespaced attributes by name, refusing repeats
// (encoding/xml does not). Namespaced ones (xmlns, xml:lang, …) are
// ignored: they are not part of the dialect.
func plainAttrs(attrs []xml.Attr, where string) (map[string]string, error) {
	m := make(map[string]string, len(attrs))
	for _, a := range attrs {
		if a.Name.Space != "" || a.Name.Local == "xmlns" {
			continue
		}
		if _, dup := m[a.Name.Local]; dup {
			return nil, fmt.Errorf("%w: %s: repeated attribute %s", ErrMalformed, where, quote(a.Name.Local))
		}
		m[a.Name.Local] = a.Value
	}
	return m, nil
}

// parseDecimal parses an unsigned decimal of the given bit size: digits
// only (no sign or spaces, which strconv would refuse anyway except '+'
// and '_' in base 0), leading zeros allowed.
func parseDecimal(s string, bits int) (uint64, error) {
	if s == "" {
		return 0, fmt.Errorf("empty number")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("not an unsigned decimal number")
		}
	}
	v, err := strconv.ParseUint(s, 10, bits)
	if err != nil {
		return 0, fmt.Errorf("out of range")
	}
	return v, nil
}
