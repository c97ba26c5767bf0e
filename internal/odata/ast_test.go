package odata_test

import (
	"testing"

	"github.com/lockstream/lockstream/internal/odata"
)

func TestFilterString(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "spacing and case", in: "  Name   EQ\t'a'  ", want: "Name eq 'a'"},
		{name: "or inside and keeps parentheses", in: "(name eq 'a' or name eq 'b')and name eq 'c'",
			want: "(name eq 'a' or name eq 'b') and name eq 'c'"},
		{name: "and inside or drops parentheses", in: "(name eq 'a' and name eq 'b') or (name eq 'c')",
			want: "name eq 'a' and name eq 'b' or name eq 'c'"},
		{name: "quote escaped", in: "name eq 'it''s'", want: "name eq 'it''s'"},
		{name: "typed date-time bare", in: "properties/created gt datetime'2021-06-01T08:00:00Z'",
			want: "properties/created gt 2021-06-01T08:00:00Z"},
		{name: "typed GUID bare", in: "properties/policyId eq guid'deadbeef-0000-4e3a-9c1b-000000000001'",
			want: "properties/policyId eq deadbeef-0000-4e3a-9c1b-000000000001"},
		{name: "enum", in: "properties/state eq Microsoft.Media.JobState'Scheduled'",
			want: "properties/state eq Microsoft.Media.JobState'Scheduled'"},
		{name: "integer normalised", in: "properties/n eq -000", want: "properties/n eq 0"},
		{name: "boolean lower-cased", in: "properties/b ne True", want: "properties/b ne true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := odata.ParseFilter(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := e.String(); got != tt.want {
				t.Fatalf("String() = %q, want %q", got, tt.want)
			}
			checkRoundTrip(t, e)
		})
	}
}

func TestParseFilterPositions(t *testing.T) {
	in := "name eq 'a' or properties/state ne Microsoft.Media.JobState'Error'"
	e, err := odata.ParseFilter(in)
	if err != nil {
		t.Fatal(err)
	}
	c := e.(*odata.Logical).Terms[1].(*odata.Comparison)
	if c.Pos != 15 || c.OpPos != 32 || c.Value.Pos != 35 {
		t.Fatalf("positions = %d, %d, %d; want 15, 32, 35", c.Pos, c.OpPos, c.Value.Pos)
	}
	if c.Value.Kind != odata.LitEnum || c.Value.Type != "Microsoft.Media.JobState" || c.Value.Value != "Error" {
		t.Fatalf("literal = %+v", c.Value)
	}
}
