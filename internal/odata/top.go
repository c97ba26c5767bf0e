package odata

import "strconv"

// MaxTop is the largest $top accepted.
const MaxTop = 1_000_000

// ParseTop parses a $top value: a decimal integer from 1 to MaxTop, digits
// only. Errors are *Error.
func ParseTop(s string) (int, error) {
	ok := s != "" && len(s) <= 10
	for i := 0; ok && i < len(s); i++ {
		ok = '0' <= s[i] && s[i] <= '9'
	}
	if ok {
		if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= MaxTop {
			return n, nil
		}
	}
	return 0, &Error{Param: "$top", Pos: -1,
		Msg: "must be an integer from 1 to " + strconv.Itoa(MaxTop) + ", got " + quote(s)}
}
