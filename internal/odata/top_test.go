package odata_test

import (
	"testing"

	"github.com/lockstream/lockstream/internal/odata"
)

func TestParseTop(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want int
		err  string
	}{
		{name: "one", in: "1", want: 1},
		{name: "typical", in: "10", want: 10},
		{name: "leading zeros", in: "007", want: 7},
		{name: "maximum", in: "1000000", want: odata.MaxTop},

		{name: "empty", in: "", err: `$top: must be an integer from 1 to 1000000, got ""`},
		{name: "zero", in: "0", err: `$top: must be an integer from 1 to 1000000, got "0"`},
		{name: "negative", in: "-5", err: `$top: must be an integer from 1 to 1000000, got "-5"`},
		{name: "plus sign", in: "+5", err: `$top: must be an integer from 1 to 1000000, got "+5"`},
		{name: "too large", in: "1000001", err: `$top: must be an integer from 1 to 1000000, got "1000001"`},
		{name: "overflow", in: "99999999999999999999", err: `$top: must be an integer from 1 to 1000000, got "99999999999999999999"`},
		{name: "spaces", in: " 5", err: `$top: must be an integer from 1 to 1000000, got " 5"`},
		{name: "word", in: "all", err: `$top: must be an integer from 1 to 1000000, got "all"`},
		{name: "fraction", in: "1.5", err: `$top: must be an integer from 1 to 1000000, got "1.5"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := odata.ParseTop(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("ParseTop(%q) = %d, %v; want error %s", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseTop(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
		})
	}
}
