package events

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/lockstream/lockstream/internal/defs"
)

// matches reports whether the Event Grid event body passes filter f, as
// Event Grid evaluates it: included types (case-insensitive), subject
// prefix and suffix (case-insensitive unless isSubjectCaseSensitive), and
// every advanced filter (AND). A key that is missing fails every
// operator but IsNullOrUndefined.
func matches(f *defs.EventSubscriptionFilter, ev map[string]any) bool {
	if f == nil {
		return true
	}
	typ, _ := ev["eventType"].(string)
	if len(f.IncludedEventTypes) > 0 && !slices.ContainsFunc(f.IncludedEventTypes, func(t string) bool { return strings.EqualFold(t, typ) }) {
		return false
	}
	subject, _ := ev["subject"].(string)
	prefix, suffix := f.SubjectBeginsWith, f.SubjectEndsWith
	if f.IsSubjectCaseSensitive == nil || !*f.IsSubjectCaseSensitive {
		subject, prefix, suffix = strings.ToLower(subject), strings.ToLower(prefix), strings.ToLower(suffix)
	}
	if !strings.HasPrefix(subject, prefix) || !strings.HasSuffix(subject, suffix) {
		return false
	}
	arrays := f.EnableAdvancedFilteringOnArrays != nil && *f.EnableAdvancedFilteringOnArrays
	for _, a := range f.AdvancedFilters {
		if !advancedMatch(a, ev, arrays) {
			return false
		}
	}
	return true
}

// lookup follows a dotted key ("data.state", "subject") into the event.
func lookup(ev map[string]any, key string) (any, bool) {
	var cur any = ev
	for part := range strings.SplitSeq(key, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func advancedMatch(a defs.AdvancedFilter, ev map[string]any, arrays bool) bool {
	v, ok := lookup(ev, a.Key)
	switch a.OperatorType {
	case "IsNullOrUndefined":
		return !ok || v == nil
	case "IsNotNull":
		return ok && v != nil
	}
	if !ok || v == nil {
		return false
	}
	vals := []any{v}
	if arr, isArr := v.([]any); isArr {
		if !arrays {
			return false
		}
		vals = arr
	}
	// With arrays enabled, a filter matches when any element does.
	for _, x := range vals {
		if scalarMatch(a, x) {
			return true
		}
	}
	return false
}

func rawValues(a defs.AdvancedFilter) []any {
	raws := a.Values
	if a.Value != nil {
		raws = append([]json.RawMessage{a.Value}, raws...)
	}
	out := make([]any, 0, len(raws))
	for _, r := range raws {
		var x any
		if json.Unmarshal(r, &x) == nil {
			out = append(out, x)
		}
	}
	return out
}

func number(x any) (float64, bool) {
	switch v := x.(type) {
	case float64:
		return v, true
	case string:
		f, err := strconv.ParseFloat(v, 64)
		return f, err == nil
	}
	return 0, false
}

func scalarMatch(a defs.AdvancedFilter, x any) bool {
	want := rawValues(a)
	op := a.OperatorType
	switch {
	case strings.HasPrefix(op, "Number"):
		n, ok := number(x)
		if !ok || len(want) == 0 {
			return false
		}
		w, _ := want[0].(float64)
		switch op {
		case "NumberLessThan":
			return n < w
		case "NumberGreaterThan":
			return n > w
		case "NumberLessThanOrEquals":
			return n <= w
		case "NumberGreaterThanOrEquals":
			return n >= w
		case "NumberIn", "NumberNotIn":
			in := slices.ContainsFunc(want, func(y any) bool { f, _ := y.(float64); return f == n })
			return in == (op == "NumberIn")
		}
	case op == "BoolEquals":
		if len(want) == 0 {
			return false
		}
		b, ok := x.(bool)
		w, _ := want[0].(bool)
		return ok && b == w
	case strings.HasPrefix(op, "String"):
		s, ok := x.(string)
		if !ok {
			return false
		}
		s = strings.ToLower(s)
		test := func(f func(s, w string) bool) bool {
			return slices.ContainsFunc(want, func(y any) bool { w, _ := y.(string); return f(s, strings.ToLower(w)) })
		}
		switch op {
		case "StringIn":
			return test(func(s, w string) bool { return s == w })
		case "StringNotIn":
			return !test(func(s, w string) bool { return s == w })
		case "StringBeginsWith":
			return test(strings.HasPrefix)
		case "StringNotBeginsWith":
			return !test(strings.HasPrefix)
		case "StringEndsWith":
			return test(strings.HasSuffix)
		case "StringNotEndsWith":
			return !test(strings.HasSuffix)
		case "StringContains":
			return test(strings.Contains)
		case "StringNotContains":
			return !test(strings.Contains)
		}
	}
	return false
}
