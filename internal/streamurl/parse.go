package streamurl

import (
	"strconv"
	"strings"

	"github.com/lockstream/lockstream/internal/defs"
)

// Parse parses the escaped path of a streaming-origin request (use
// r.URL.EscapedPath(); the query string is not part of the grammar). The
// error is always an [*Error]; see the package documentation for which
// problems are 400 and which are 404.
func Parse(escapedPath string) (*Request, error) {
	r, err := parse(escapedPath)
	if err != nil {
		return nil, err // never a typed nil: parse returns a nil *Error only with r
	}
	return r, nil
}

func parse(p string) (*Request, *Error) {
	if len(p) > MaxPathLen {
		return nil, syntaxErr("path is longer than %d bytes", MaxPathLen)
	}
	if p == "" || p[0] != '/' {
		return nil, syntaxErr("path must start with '/'")
	}
	raw := strings.Split(p[1:], "/")

	// The locator comes first so that anything not under a GUID is a
	// plain 404, whatever else is wrong with it.
	loc, err := unescapeSegment(raw[0])
	if err != nil || !defs.IsGUID(loc) {
		return nil, notFound("path does not start with a streaming locator ID")
	}
	if len(raw) < 2 {
		return nil, notFound("nothing after the streaming locator ID")
	}
	segs := make([]string, len(raw)-1)
	for i, s := range raw[1:] {
		if segs[i], err = unescapeSegment(s); err != nil {
			return nil, err
		}
	}
	r := &Request{LocatorID: strings.ToLower(loc)}

	first := segs[0]
	if len(first) < len(".ism") || !strings.EqualFold(first[len(first)-4:], ".ism") {
		return r, parseDownload(r, segs)
	}
	if err := checkFileSegment(first); err != nil {
		return nil, err
	}
	r.Name = first[:len(first)-4]
	if r.Name == "" {
		return nil, syntaxErr("empty name before \".ism\"")
	}
	switch rest := segs[1:]; len(rest) {
	case 0:
		return nil, notFound("nothing after \".ism\"")
	case 1:
		return r, parseManifest(r, rest[0])
	case 2:
		return r, parseSub(r, rest[0], rest[1])
	}
	return nil, notFound("too many segments after \".ism\"")
}

// parseDownload fills in a progressive-download request: every segment
// after the locator is part of the file's path inside the asset.
func parseDownload(r *Request, segs []string) *Error {
	for _, s := range segs {
		if err := checkFileSegment(s); err != nil {
			return err
		}
	}
	r.Kind = KindDownload
	r.File = strings.Join(segs, "/")
	if len(r.File) > MaxFileBytes {
		return syntaxErr("file path is longer than %d bytes", MaxFileBytes)
	}
	return nil
}

// call is one "word(args)tail" segment, such as "Fragments(video=0).ts".
type call struct {
	word   string
	args   string
	parens bool
	tail   string
}

// splitCall splits a segment into its word, the text between the
// parentheses and what follows them. Without parentheses the word ends at
// the first '.', so that "manifest.m3u8" has word "manifest".
func splitCall(seg string) (call, *Error) {
	open := strings.IndexByte(seg, '(')
	if open < 0 {
		if strings.IndexByte(seg, ')') >= 0 {
			return call{}, syntaxErr("unbalanced ')' in %s", q(seg))
		}
		word, tail := seg, ""
		if dot := strings.IndexByte(seg, '.'); dot >= 0 {
			word, tail = seg[:dot], seg[dot:]
		}
		return call{word: word, tail: tail}, nil
	}
	end := strings.IndexByte(seg[open:], ')')
	if end < 0 {
		return call{}, syntaxErr("missing ')' in %s", q(seg))
	}
	end += open
	c := call{word: seg[:open], args: seg[open+1 : end], parens: true, tail: seg[end+1:]}
	if strings.IndexByte(c.args, '(') >= 0 || strings.ContainsAny(c.tail, "()") {
		return call{}, syntaxErr("unbalanced parentheses in %s", q(seg))
	}
	return c, nil
}

func parseManifest(r *Request, seg string) *Error {
	c, err := splitCall(seg)
	if err != nil {
		return err
	}
	if !strings.EqualFold(c.word, "manifest") {
		return notFound("unknown resource %s after \".ism/\"", q(c.word))
	}
	r.Kind = KindManifest
	switch {
	case c.tail == "":
	case strings.EqualFold(c.tail, ".m3u8"), strings.EqualFold(c.tail, ".mpd"):
		r.Ext = strings.ToLower(c.tail)
	default:
		return syntaxErr("manifest extension %s is not supported (only .m3u8 and .mpd)", q(c.tail))
	}
	if !c.parens {
		return nil
	}
	if c.args == "" {
		return syntaxErr("empty argument list in manifest()")
	}
	return parseArgs(&r.Args, strings.Split(c.args, ","))
}

// parseSub parses "QualityLevels(b)/Manifest(…)" and
// "QualityLevels(b)/Fragments(…)".
func parseSub(r *Request, ql, sub string) *Error {
	c, err := splitCall(ql)
	if err != nil {
		return err
	}
	if !strings.EqualFold(c.word, "QualityLevels") {
		return notFound("unknown resource %s after \".ism/\"", q(c.word))
	}
	if !c.parens || c.tail != "" {
		return syntaxErr("expected QualityLevels({bitrate}), got %s", q(ql))
	}
	if r.Bitrate, err = parseUint("bitrate", c.args); err != nil {
		return err
	}

	if c, err = splitCall(sub); err != nil {
		return err
	}
	switch {
	case strings.EqualFold(c.word, "Manifest"):
		r.Kind = KindPlaylist
		return parsePlaylist(r, c)
	case strings.EqualFold(c.word, "Fragments"):
		r.Kind = KindFragment
		return parseFragment(r, c)
	}
	return notFound("unknown resource %s after QualityLevels()", q(c.word))
}

func parsePlaylist(r *Request, c call) *Error {
	if !c.parens || c.args == "" {
		return syntaxErr("expected Manifest({track}[,args])")
	}
	switch {
	case c.tail == "":
	case strings.EqualFold(c.tail, ".m3u8"):
		r.Ext = ".m3u8"
	default:
		return syntaxErr("playlist extension %s is not supported (only .m3u8)", q(c.tail))
	}
	items := strings.Split(c.args, ",")
	if strings.IndexByte(items[0], '=') >= 0 {
		return syntaxErr("Manifest() must start with a track name, got %s", q(items[0]))
	}
	if err := checkTrackName(items[0]); err != nil {
		return err
	}
	r.Track = items[0]
	return parseArgs(&r.Args, items[1:])
}

func parseFragment(r *Request, c call) *Error {
	if !c.parens || c.args == "" {
		return syntaxErr("expected Fragments({track}={time}[,args])")
	}
	if c.tail != "" {
		if err := checkFragmentExt(c.tail); err != nil {
			return err
		}
		r.Ext = strings.ToLower(c.tail)
	}
	items := strings.Split(c.args, ",")
	track, t, ok := strings.Cut(items[0], "=")
	if !ok {
		return syntaxErr("Fragments() must start with {track}={time}, got %s", q(items[0]))
	}
	if err := checkTrackName(track); err != nil {
		return err
	}
	r.Track = track
	if t == "i" || t == "I" {
		r.Init = true
	} else {
		var err *Error
		if r.Time, err = parseUint("fragment time", t); err != nil {
			return err
		}
	}
	return parseArgs(&r.Args, items[1:])
}

// checkFragmentExt accepts the extension some HLS players and packagers
// append to segment URLs (".ts", ".m4s", ".mp4", ".aac", ".vtt", …).
func checkFragmentExt(ext string) *Error {
	ok := len(ext) >= 2 && len(ext) <= 9 && ext[0] == '.'
	for i := 1; ok && i < len(ext); i++ {
		c := ext[i]
		ok = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	if !ok {
		return syntaxErr("fragment extension %s is not supported", q(ext))
	}
	return nil
}

// parseUint parses an unsigned decimal: digits only (no sign, no spaces),
// at most 20 of them, no overflow. Leading zeros are accepted.
func parseUint(what, s string) (uint64, *Error) {
	if s == "" {
		return 0, syntaxErr("empty %s", what)
	}
	if len(s) > 20 {
		return 0, syntaxErr("%s %s has more than 20 digits", what, q(s))
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, syntaxErr("%s %s is not an unsigned decimal number", what, q(s))
		}
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		e := syntaxErr("%s %s is out of range", what, q(s))
		e.Err = err
		return 0, e
	}
	return v, nil
}
