package defs

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/lockstream/lockstream/internal/jsonstrict"
)

// FieldError reports one invalid field of a request body. Field is the JSON
// path from the body root ("properties.options[1].restriction.issuer"); it
// is empty when the problem concerns the body as a whole.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

// FieldPath returns Field; the API uses it as the ARM error target.
func (e *FieldError) FieldPath() string { return e.Field }

// errorf builds a *FieldError. It returns error, not *FieldError, so that
// callers can never return a typed nil by accident.
func errorf(path, format string, args ...any) error {
	return &FieldError{Field: path, Msg: fmt.Sprintf(format, args...)}
}

func required(path string) error { return &FieldError{Field: path, Msg: "is required"} }

// join appends a member name to a JSON path.
func join(path, name string) string {
	switch {
	case path == "":
		return name
	case name == "":
		return path
	case name[0] == '[':
		return path + name
	}
	return path + "." + name
}

// index appends an array index to a JSON path.
func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// Decode unmarshals a JSON request body into v. Any failure is returned as
// a *FieldError: type mismatches and bad discriminators name the field,
// malformed JSON has an empty Field. Paths inside content key policies
// carry array indices; elsewhere they are the member names encoding/json
// reports (no indices).
//
// A member given twice in one object is refused naming it: encoding/json
// would keep the last silently (the token parser refuses the same, with
// the same detector).
func Decode(data []byte, v any) error {
	if path, dup := jsonstrict.FirstDuplicateFold(data); dup {
		return &FieldError{Field: path, Msg: "is given more than once (names compare without case); it may appear only once"}
	}
	return fieldError(json.Unmarshal(data, v), "")
}

// fieldError converts a decoding error into a *FieldError under path.
func fieldError(err error, path string) error {
	if err == nil {
		return nil
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return &FieldError{Field: join(path, fe.Field), Msg: fe.Msg}
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return &FieldError{Field: join(path, stripAlias(te.Field)), Msg: "must be " + describe(te.Type)}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &FieldError{Field: path, Msg: "malformed JSON: " + se.Error()}
	}
	return &FieldError{Field: path, Msg: err.Error()}
}

// stripAlias removes the "alias" segments encoding/json puts in error paths
// for the embedded alias structs custom UnmarshalJSON methods decode into.
// No AMS member is called "alias".
func stripAlias(field string) string {
	if !strings.Contains(field, "alias") {
		return field
	}
	parts := strings.Split(field, ".")
	out := parts[:0]
	for _, p := range parts {
		if p != "alias" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ".")
}

var (
	base64Type = reflect.TypeFor[Base64]()
	timeType   = reflect.TypeFor[Time]()
)

// describe names the JSON shape a Go type expects, for error messages.
func describe(t reflect.Type) string {
	if t == nil {
		return "a valid value"
	}
	switch t {
	case base64Type:
		return "a standard base64 string"
	case timeType:
		return "an RFC 3339 date-time string"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int32:
		return "a 32-bit integer"
	case reflect.Int64, reflect.Int:
		return "a 64-bit integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return describe(t.Elem())
	}
	return "a valid value"
}
