package jsonstrict

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// maxDepth bounds the nesting the detector follows; deeper documents are
// refused by the decoders and the store anyway.
const maxDepth = 512

type frame struct {
	obj     bool
	seen    map[string]string // folded name → name as first given
	path    string
	key     string
	idx     int
	wantKey bool
}

// FirstDuplicate returns the path of the first member whose name repeats
// a member of the same object, like "properties.options" or
// "properties.options[1].name" (spelled as first given), and whether
// there is one. Names compare
// exactly, as JWT claim names do. Malformed JSON reports none: the
// caller's decoder reports it.
func FirstDuplicate(b []byte) (string, bool) { return firstDuplicate(b, false) }

// FirstDuplicateFold is FirstDuplicate with names compared without case,
// as encoding/json matches struct fields: for bodies decoded into Go
// structs, "options" and "Options" fill the same field, last one winning.
func FirstDuplicateFold(b []byte) (string, bool) { return firstDuplicate(b, true) }

func firstDuplicate(b []byte, fold bool) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var st []*frame
	afterValue := func() {
		if len(st) == 0 {
			return
		}
		if top := st[len(st)-1]; top.obj {
			top.wantKey = true
		} else {
			top.idx++
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				if len(st) == maxDepth {
					return "", false
				}
				p := ""
				if len(st) > 0 {
					top := st[len(st)-1]
					if top.obj {
						p = join(top.path, top.key)
					} else {
						p = top.path + "[" + strconv.Itoa(top.idx) + "]"
					}
				}
				st = append(st, &frame{obj: v == '{', seen: map[string]string{}, path: p, wantKey: true})
			default:
				st = st[:len(st)-1]
				if len(st) == 0 {
					return "", false
				}
				afterValue()
			}
		case string:
			if len(st) > 0 {
				if top := st[len(st)-1]; top.obj && top.wantKey {
					k := v
					if fold {
						// Upper then lower maps every name encoding/json
						// folds together (including the Kelvin and long-s
						// signs) to one key.
						k = strings.ToLower(strings.ToUpper(v))
					}
					if first, dup := top.seen[k]; dup {
						return join(top.path, first), true
					}
					top.seen[k] = v
					top.key, top.wantKey = v, false
					continue
				}
			}
			afterValue()
		default:
			afterValue()
		}
	}
}

// join appends a member name to a path; an empty name (valid JSON) is
// shown as "" so that the path still names it.
func join(path, name string) string {
	if name == "" {
		name = `""`
	}
	if path == "" {
		return name
	}
	return path + "." + name
}
