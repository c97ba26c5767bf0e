package defs

import (
	"encoding/json"
	"fmt"
	"time"
)

// TimeLayout is how AMS writes date-times: UTC with exactly seven
// fractional digits (.NET's "o" format), e.g. 2018-08-08T18:29:32.7859424Z.
// Fixed width also makes text order equal time order in the store.
const TimeLayout = "2006-01-02T15:04:05.0000000Z"

// Time is a date-time on the wire. It encodes in TimeLayout and decodes any
// RFC 3339 date-time; a value without a zone offset (as some .NET clients
// send) is taken as UTC. Years outside 1–9999 are rejected because .NET
// clients cannot represent them.
type Time struct{ time.Time }

// NewTime returns t as a *Time, for optional fields.
func NewTime(t time.Time) *Time { return &Time{t} }

// MarshalJSON implements json.Marshaler.
func (t Time) MarshalJSON() ([]byte, error) {
	u := t.UTC()
	if y := u.Year(); y < 1 || y > 9999 {
		return nil, fmt.Errorf("defs: time %s outside years 1-9999", u.Format(time.RFC3339))
	}
	b := make([]byte, 0, len(TimeLayout)+2)
	b = append(b, '"')
	b = u.AppendFormat(b, TimeLayout)
	return append(b, '"'), nil
}

// UnmarshalJSON implements json.Unmarshaler. Errors are
// *json.UnmarshalTypeError so that encoding/json adds the field path.
func (t *Time) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return &json.UnmarshalTypeError{Value: jsonKind(data), Type: timeType}
	}
	v, err := ParseTime(s)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "string " + s, Type: timeType}
	}
	t.Time = v
	return nil
}

// ParseTime parses a wire date-time as Time.UnmarshalJSON does.
func ParseTime(s string) (time.Time, error) {
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		var err2 error
		if v, err2 = time.ParseInLocation("2006-01-02T15:04:05.999999999", s, time.UTC); err2 != nil {
			return time.Time{}, err
		}
	}
	if y := v.UTC().Year(); y < 1 || y > 9999 {
		return time.Time{}, fmt.Errorf("defs: time %q outside years 1-9999", s)
	}
	return v, nil
}

// jsonKind names the kind of a JSON value for UnmarshalTypeError.Value.
func jsonKind(data []byte) string {
	for _, c := range data {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return "object"
		case '[':
			return "array"
		case '"':
			return "string"
		case 't', 'f':
			return "bool"
		case 'n':
			return "null"
		}
		return "number"
	}
	return "value"
}
