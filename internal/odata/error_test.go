package odata_test

import (
	"testing"

	"github.com/lockstream/lockstream/internal/odata"
)

func TestErrorText(t *testing.T) {
	tests := []struct {
		name string
		err  *odata.Error
		want string
	}{
		{name: "with position", err: &odata.Error{Param: "$filter", Pos: 0, Msg: "bad"}, want: "$filter: bad at position 0"},
		{name: "without position", err: &odata.Error{Param: "$top", Pos: -1, Msg: "bad"}, want: "$top: bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Fatalf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}
