package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
)

// canonicalValues renders a JSON claim as the strings a required claim
// value is compared with. A scalar gives one value; an array gives one
// value per scalar element (multi-valued claims such as groups or roles);
// an object is present but has no comparable value. ok is false for null
// and for an empty array, which grant nothing.
func canonicalValues(raw []byte) (vals []string, ok bool, err error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, false, nil
	}
	switch raw[0] {
	case '{':
		return nil, true, nil
	case '[':
		var elems []json.RawMessage
		if err := json.Unmarshal(raw, &elems); err != nil {
			return nil, false, fmt.Errorf("claim array: %w", err)
		}
		if len(elems) == 0 {
			return nil, false, nil
		}
		vals = make([]string, 0, len(elems))
		for _, el := range elems {
			if v, ok := canonicalScalar(el); ok {
				vals = append(vals, v)
			}
		}
		return vals, true, nil
	}
	v, ok := canonicalScalar(raw)
	if !ok {
		return nil, false, fmt.Errorf("claim value is not a JSON scalar")
	}
	return []string{v}, true, nil
}

// canonicalSingle reads a claim that must hold one scalar: null is
// absent; arrays and objects are errors.
func canonicalSingle(raw []byte) (string, bool, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", false, nil
	}
	v, ok := canonicalScalar(raw)
	if !ok {
		return "", false, fmt.Errorf("claim value is a JSON %s, not a single value", map[byte]string{'[': "array", '{': "object"}[raw[0]])
	}
	return v, true, nil
}

// canonicalScalar renders a string as itself, a boolean as "true" or
// "false" and a number in its shortest plain decimal form, so that 2, 2.0
// and 2e0 all read "2" (claims issued by .NET often carry numbers as
// strings, others as numbers). ok is false for null, arrays and objects.
func canonicalScalar(raw []byte) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", false
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return s, true
	case 't', 'f':
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			return "", false
		}
		return strconv.FormatBool(b), true
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		var n json.Number
		if json.Unmarshal(raw, &n) != nil {
			return "", false
		}
		return canonicalNumber(string(n)), true
	}
	return "", false
}

func canonicalNumber(lit string) string {
	if n, ok := new(big.Int).SetString(lit, 10); ok {
		return n.String()
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil {
		return lit // beyond float64: compared as written
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
