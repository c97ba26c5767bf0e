package odata_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/lockstream/lockstream/internal/odata"
)

const a = `(eq name string:"a")`

func TestParseFilter(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // tree of the result, when err is empty
		err  string // full error text
	}{
		// Comparisons and operators.
		{name: "eq string", in: "name eq 'a'", want: a},
		{name: "ne", in: "name ne 'a'", want: `(ne name string:"a")`},
		{name: "gt ge lt le", in: "name gt 'a' and name ge 'b' and name lt 'c' and name le 'd'",
			want: `(and (gt name string:"a") (ge name string:"b") (lt name string:"c") (le name string:"d"))`},
		{name: "keywords any case", in: "Name EQ 'a' AND properties/Created Gt 2021-06-01 oR name Le 'z'",
			want: `(or (and (eq Name string:"a") (gt properties/Created date-time:"2021-06-01")) (le name string:"z"))`},
		{name: "blank", in: " \t\r\n", want: "<nil>"},
		{name: "empty", in: "", want: "<nil>"},
		{name: "whitespace everywhere", in: "\t( name\neq   'a'\r\n)  ", want: a},
		{name: "no spaces at parens", in: "(name eq 'a')or(name eq 'b')", want: `(or ` + a + ` (eq name string:"b"))`},
		{name: "no space before quote", in: "name eq'a'", want: a},

		// Precedence and grouping.
		{name: "and binds tighter (right)", in: "name eq 'a' or name eq 'b' and name eq 'c'",
			want: `(or ` + a + ` (and (eq name string:"b") (eq name string:"c")))`},
		{name: "and binds tighter (left)", in: "name eq 'a' and name eq 'b' or name eq 'c'",
			want: `(or (and ` + a + ` (eq name string:"b")) (eq name string:"c"))`},
		{name: "parentheses override", in: "(name eq 'a' or name eq 'b') and name eq 'c'",
			want: `(and (or ` + a + ` (eq name string:"b")) (eq name string:"c"))`},
		{name: "redundant parentheses", in: "((name eq 'a'))", want: a},
		{name: "and chain flattened", in: "name eq 'a' and (name eq 'b' and name eq 'c')",
			want: `(and ` + a + ` (eq name string:"b") (eq name string:"c"))`},
		{name: "or chain flattened", in: "(name eq 'a' or name eq 'b') or name eq 'c'",
			want: `(or ` + a + ` (eq name string:"b") (eq name string:"c"))`},
		{name: "nested alternation", in: "name eq 'a' and (name eq 'b' or (name eq 'c' and (name eq 'd' or name eq 'e')))",
			want: `(and ` + a + ` (or (eq name string:"b") (and (eq name string:"c") (or (eq name string:"d") (eq name string:"e")))))`},

		// Strings.
		{name: "doubled quote", in: "name eq 'O''Brien'", want: `(eq name string:"O'Brien")`},
		{name: "empty string", in: "name eq ''", want: `(eq name string:"")`},
		{name: "just a quote", in: "name eq ''''", want: `(eq name string:"'")`},
		{name: "keywords inside string", in: "name eq 'a) or (b'", want: `(eq name string:"a) or (b")`},
		{name: "unicode string", in: "properties/description eq 'Видео ✓'", want: `(eq properties/description string:"Видео ✓")`},
		{name: "quoted GUID is a string", in: "properties/assetId eq '2a0c5b6e-0000-4e3a-9c1b-000000000001'",
			want: `(eq properties/assetId string:"2a0c5b6e-0000-4e3a-9c1b-000000000001")`},

		// Date-times.
		{name: "date-time Z", in: "properties/created gt 2021-06-01T08:00:00Z",
			want: `(gt properties/created date-time:"2021-06-01T08:00:00Z")`},
		{name: "date-time millis", in: "properties/created lt 2018-05-11T17:39:08.387Z",
			want: `(lt properties/created date-time:"2018-05-11T17:39:08.387Z")`},
		{name: "date-time seven digits", in: "properties/created ge 2018-08-08T18:29:32.7859424Z",
			want: `(ge properties/created date-time:"2018-08-08T18:29:32.7859424Z")`},
		{name: "date-time offset", in: "properties/created ge 2021-06-01T08:00:00.000+02:00",
			want: `(ge properties/created date-time:"2021-06-01T08:00:00.000+02:00")`},
		{name: "date-time negative offset no seconds", in: "properties/created le 2021-06-01T08:00-05:30",
			want: `(le properties/created date-time:"2021-06-01T08:00-05:30")`},
		{name: "date-time without zone", in: "properties/created le 2021-06-01T08:00:00",
			want: `(le properties/created date-time:"2021-06-01T08:00:00")`},
		{name: "datetime prefix", in: "properties/created gt datetime'2021-06-01T08:00:00Z'",
			want: `(gt properties/created date-time:"2021-06-01T08:00:00Z")`},
		{name: "DateTimeOffset prefix", in: "properties/created gt DateTimeOffset'2021-06-01T08:00:00Z'",
			want: `(gt properties/created date-time:"2021-06-01T08:00:00Z")`},

		// GUIDs, numbers, booleans, enums.
		{name: "bare GUID", in: "properties/assetId eq 2a0c5b6e-AAAA-4e3a-9c1b-000000000001",
			want: `(eq properties/assetId GUID:"2a0c5b6e-AAAA-4e3a-9c1b-000000000001")`},
		{name: "bare GUID starting with letters", in: "properties/policyId ne deadbeef-0000-4e3a-9c1b-000000000001",
			want: `(ne properties/policyId GUID:"deadbeef-0000-4e3a-9c1b-000000000001")`},
		{name: "guid prefix", in: "properties/policyId eq guid'deadbeef-0000-4e3a-9c1b-000000000001'",
			want: `(eq properties/policyId GUID:"deadbeef-0000-4e3a-9c1b-000000000001")`},
		{name: "integers", in: "properties/priority gt -007 and properties/size lt 9223372036854775807",
			want: `(and (gt properties/priority integer:"-7") (lt properties/size integer:"9223372036854775807"))`},
		{name: "booleans", in: "properties/a eq true or properties/b eq FALSE",
			want: `(or (eq properties/a boolean:"true") (eq properties/b boolean:"false"))`},
		{name: "job state enum", in: "properties/state eq Microsoft.Media.JobState'Scheduled'",
			want: `(eq properties/state enum:Microsoft.Media.JobState:"Scheduled")`},
		{name: "enum with escaped quote", in: "properties/state ne Microsoft.Media.JobState'a''b'",
			want: `(ne properties/state enum:Microsoft.Media.JobState:"a'b")`},

		// Limits at their boundary.
		{name: "max depth", in: strings.Repeat("(", odata.MaxDepth) + "name eq 'a'" + strings.Repeat(")", odata.MaxDepth), want: a},
		{name: "max terms", in: repeatJoin("name eq 'a'", " or ", odata.MaxTerms),
			want: "(or " + repeatJoin(a, " ", odata.MaxTerms) + ")"},
		{name: "max length", in: "name eq 'a'" + strings.Repeat(" ", odata.MaxFilterLength-11), want: a},

		// Syntax errors.
		{name: "unterminated string", in: "name eq 'abc", err: `$filter: unterminated string literal at position 8`},
		{name: "unterminated after doubled quote", in: "name eq 'a''", err: `$filter: unterminated string literal at position 8`},
		{name: "missing operator", in: "name 'a'",
			err: `$filter: expected a comparison operator (eq, ne, gt, ge, lt, le) after "name", found "'a'" at position 5`},
		{name: "unknown operator", in: "name like 'a'",
			err: `$filter: expected a comparison operator (eq, ne, gt, ge, lt, le) after "name", found "like" at position 5`},
		{name: "missing value", in: "name eq", err: `$filter: expected a value, found end of input at position 7`},
		{name: "missing property", in: "eq 'a'", err: `$filter: expected a property name, found "eq" at position 0`},
		{name: "literal on the left", in: "'a' eq name", err: `$filter: expected a property name, found "'a'" at position 0`},
		{name: "double-quoted string", in: `name eq "a"`, err: `$filter: invalid literal "\"a\"" (strings take single quotes) at position 8`},
		{name: "bare word value", in: "name eq foo", err: `$filter: invalid literal "foo" (strings must be single-quoted) at position 8`},
		{name: "unclosed parenthesis", in: "name eq 'b' and (name eq 'a'", err: `$filter: unclosed "(" at position 16`},
		{name: "unopened parenthesis", in: "name eq 'a')",
			err: `$filter: expected "and", "or" or end of input, found ")" at position 11`},
		{name: "empty parentheses", in: "()", err: `$filter: expected a property name, found ")" at position 1`},
		{name: "lone parenthesis", in: "(", err: `$filter: expected a property name, found end of input at position 1`},
		{name: "dangling and", in: "name eq 'a' and", err: `$filter: expected a property name, found end of input at position 15`},
		{name: "leading or", in: "or name eq 'a'", err: `$filter: expected a property name, found "or" at position 0`},
		{name: "missing joiner", in: "name eq 'a' name eq 'b'",
			err: `$filter: expected "and", "or" or end of input, found "name" at position 12`},
		{name: "junk after literal", in: "name eq 'a'b",
			err: `$filter: expected "and", "or" or end of input, found "b" at position 11`},
		{name: "junk inside parentheses", in: "(name eq 'a' 'b')",
			err: `$filter: expected "and", "or" or ")", found "'b'" at position 13`},
		{name: "not", in: "not name eq 'a'", err: `$filter: operator "not" is not supported at position 0`},
		{name: "function", in: "startswith(name,'a')", err: `$filter: function "startswith" is not supported at position 0`},
		{name: "bad property path", in: "properties//x eq 'a'", err: `$filter: expected a property name, found "properties//x" at position 0`},
		{name: "property starts with digit", in: "1abc eq 'a'", err: `$filter: expected a property name, found "1abc" at position 0`},

		// Literal errors.
		{name: "month 13", in: "properties/created gt 2021-13-01T00:00:00Z",
			err: `$filter: invalid date-time literal "2021-13-01T00:00:00Z" at position 22`},
		{name: "february 30", in: "properties/created gt 2021-02-30", err: `$filter: invalid date-time literal "2021-02-30" at position 22`},
		{name: "eight fractional digits", in: "properties/created gt 2021-06-01T08:00:00.12345678Z",
			err: `$filter: invalid date-time literal "2021-06-01T08:00:00.12345678Z" at position 22`},
		{name: "offset without colon", in: "properties/created gt 2021-06-01T08:00:00+0200",
			err: `$filter: invalid date-time literal "2021-06-01T08:00:00+0200" at position 22`},
		{name: "year out of range after offset", in: "properties/created gt 9999-12-31T23:00:00-05:00",
			err: `$filter: invalid date-time literal "9999-12-31T23:00:00-05:00" at position 22`},
		{name: "datetime prefix garbage", in: "properties/created gt datetime'yesterday'",
			err: `$filter: invalid date-time literal "yesterday" at position 22`},
		{name: "guid prefix garbage", in: "properties/assetId eq guid'xyz'", err: `$filter: invalid GUID literal "xyz" at position 22`},
		{name: "unsupported literal type", in: "properties/d eq duration'P1D'", err: `$filter: unsupported literal type "duration" at position 16`},
		{name: "bad enum type name", in: "properties/state eq Microsoft..JobState'x'",
			err: `$filter: invalid enum type name "Microsoft..JobState" at position 20`},
		{name: "integer overflow", in: "properties/n eq 9223372036854775808",
			err: `$filter: integer literal out of range "9223372036854775808" at position 16`},
		{name: "not a number", in: "properties/n gt 1e5", err: `$filter: invalid literal "1e5" (strings must be single-quoted) at position 16`},
		{name: "long literal is shortened", in: "name eq " + strings.Repeat("x", 100),
			err: `$filter: invalid literal "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"… (strings must be single-quoted) at position 8`},
		{name: "invalid UTF-8", in: "name eq 'caf\xe9'", err: `$filter: invalid UTF-8 at position 12`},
		{name: "NUL", in: "name eq 'a\x00'", err: `$filter: NUL character at position 10`},
		{name: "control characters escaped", in: "name eq \x1b[31m",
			err: `$filter: invalid literal "\x1b[31m" (strings must be single-quoted) at position 8`},

		// Limits exceeded.
		{name: "too deep", in: strings.Repeat("(", odata.MaxDepth+1) + "name eq 'a'" + strings.Repeat(")", odata.MaxDepth+1),
			err: `$filter: parentheses nested deeper than 32 at position 32`},
		{name: "too many terms", in: repeatJoin("name eq 'a'", " or ", odata.MaxTerms+1),
			err: `$filter: more than 64 comparisons at position 960`},
		{name: "too long", in: "name eq 'a'" + strings.Repeat(" ", odata.MaxFilterLength-10),
			err: `$filter: longer than 4096 bytes`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := odata.ParseFilter(tt.in)
			if tt.err != "" {
				var oe *odata.Error
				if !errors.As(err, &oe) || oe.Param != "$filter" {
					t.Fatalf("ParseFilter(%q) error = %v, want *odata.Error for $filter", tt.in, err)
				}
				if err.Error() != tt.err {
					t.Fatalf("ParseFilter(%q) error\n got %s\nwant %s", tt.in, err, tt.err)
				}
				if e != nil {
					t.Errorf("ParseFilter(%q) returned %v with an error", tt.in, e)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseFilter(%q): %v", tt.in, err)
			}
			if got := tree(e); got != tt.want {
				t.Fatalf("ParseFilter(%q)\n got %s\nwant %s", tt.in, got, tt.want)
			}
			checkRoundTrip(t, e)
		})
	}
}
