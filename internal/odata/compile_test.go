package odata_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/lockstream/lockstream/internal/odata"
	"github.com/lockstream/lockstream/internal/store"
)

var (
	fName    = store.Field{Col: store.ColName, Type: store.TypeString}
	fCreated = store.Field{Col: store.ColCreated, Type: store.TypeTime}
)

func cmp(f store.Field, op store.Op, v string) *store.Cond {
	return &store.Cond{Field: f, Op: op, Value: v}
}

func doc(path string, ft store.FieldType) store.Field {
	return store.Field{Col: store.ColDoc, Path: path, Type: ft}
}

func TestCompileFilter(t *testing.T) {
	tests := []struct {
		name string
		kind store.Kind
		in   string
		want *store.Cond
		err  string
	}{
		{name: "blank", kind: store.KindAsset, in: " ", want: nil},
		{name: "name eq", kind: store.KindAsset, in: "name eq 'Asset-1'", want: cmp(fName, store.OpEq, "Asset-1")},
		{name: "property case-insensitive", kind: store.KindAsset, in: "Properties/Created gt 2021-06-01T08:00:00Z",
			want: cmp(fCreated, store.OpGt, "2021-06-01T08:00:00.0000000Z")},
		{name: "offset converted to UTC", kind: store.KindAsset, in: "properties/created lt 2021-06-01T01:30:00.5+02:00",
			want: cmp(fCreated, store.OpLt, "2021-05-31T23:30:00.5000000Z")},
		{name: "date only is midnight UTC", kind: store.KindAsset, in: "properties/created eq 2021-06-01",
			want: cmp(fCreated, store.OpEq, "2021-06-01T00:00:00.0000000Z")},
		{name: "quoted date-time on time field", kind: store.KindAsset, in: "properties/created gt '2018-05-11T17:39:08.387Z'",
			want: cmp(fCreated, store.OpGt, "2018-05-11T17:39:08.3870000Z")},
		{name: "doc time field", kind: store.KindStreamingLocator, in: "properties/endTime ge datetime'2030-01-01T00:00:00'",
			want: cmp(doc("endTime", store.TypeTime), store.OpGe, "2030-01-01T00:00:00.0000000Z")},
		{name: "lastModified column", kind: store.KindContentKeyPolicy, in: "properties/lastModified le 2021-06-01T08:00:00Z",
			want: cmp(store.Field{Col: store.ColModified, Type: store.TypeTime}, store.OpLe, "2021-06-01T08:00:00.0000000Z")},
		{name: "job state enum", kind: store.KindJob, in: "properties/state eq Microsoft.Media.JobState'Scheduled'",
			want: cmp(doc("state", store.TypeString), store.OpEq, "Scheduled")},
		{name: "job state string", kind: store.KindJob, in: "properties/state ne 'Error'",
			want: cmp(doc("state", store.TypeString), store.OpNe, "Error")},
		{name: "bare GUID lower-cased", kind: store.KindAsset, in: "properties/assetId eq 2A0C5B6E-0000-4E3A-9C1B-00000000000A",
			want: cmp(doc("assetId", store.TypeString), store.OpEq, "2a0c5b6e-0000-4e3a-9c1b-00000000000a")},
		{name: "quoted GUID kept", kind: store.KindContentKeyPolicy, in: "properties/policyId eq 'ABC'",
			want: cmp(doc("policyId", store.TypeString), store.OpEq, "ABC")},
		{name: "and or tree", kind: store.KindContentKeyPolicy,
			in: "(name eq 'a' or name eq 'b') and properties/description ne '' and properties/created ge 2021-01-01",
			want: &store.Cond{And: []*store.Cond{
				{Or: []*store.Cond{cmp(fName, store.OpEq, "a"), cmp(fName, store.OpEq, "b")}},
				cmp(doc("description", store.TypeString), store.OpNe, ""),
				cmp(fCreated, store.OpGe, "2021-01-01T00:00:00.0000000Z"),
			}}},

		{name: "unknown property", kind: store.KindAsset, in: "properties/foo eq 'x'",
			err: `$filter: unknown property "properties/foo" at position 0`},
		{name: "bare properties", kind: store.KindAsset, in: "name eq 'a' or properties eq 'x'",
			err: `$filter: unknown property "properties" at position 15`},
		{name: "kind without schema", kind: store.KindTrack, in: "name eq 'x'",
			err: `$filter: unknown property "name" at position 0`},
		{name: "operator not allowed", kind: store.KindAsset, in: "name ne 'x'",
			err: `$filter: operator "ne" is not supported for property "name" (supported: eq, gt, ge, lt, le) at position 5`},
		{name: "transform name only eq", kind: store.KindTransform, in: "name gt 'x'",
			err: `$filter: operator "gt" is not supported for property "name" (supported: eq) at position 5`},
		{name: "job created no eq", kind: store.KindJob, in: "properties/created eq 2021-06-01",
			err: `$filter: operator "eq" is not supported for property "properties/created" (supported: gt, ge, lt, le) at position 19`},
		{name: "unparsable time string", kind: store.KindAsset, in: "properties/created gt 'yesterday'",
			err: `$filter: invalid date-time "yesterday" for property "properties/created" at position 22`},
		{name: "integer on time field", kind: store.KindAsset, in: "properties/created gt 1622534400",
			err: `$filter: property "properties/created" takes a date-time, not an integer at position 22`},
		{name: "GUID on time field", kind: store.KindAsset, in: "properties/created gt 2a0c5b6e-0000-4e3a-9c1b-00000000000a",
			err: `$filter: property "properties/created" takes a date-time, not a GUID at position 22`},
		{name: "date-time on string field", kind: store.KindAsset, in: "name gt 2021-06-01",
			err: `$filter: property "name" takes a quoted string, not a date-time at position 8`},
		{name: "integer on string field", kind: store.KindAsset, in: "name eq 123",
			err: `$filter: property "name" takes a quoted string, not an integer at position 8`},
		{name: "boolean on string field", kind: store.KindAsset, in: "name eq true",
			err: `$filter: property "name" takes a quoted string, not a boolean at position 8`},
		{name: "syntax error passes through", kind: store.KindAsset, in: "name eq",
			err: `$filter: expected a value, found end of input at position 7`},
		{name: "first error wins", kind: store.KindAsset, in: "name eq 'a' and properties/x eq 1 and properties/y eq 2",
			err: `$filter: unknown property "properties/x" at position 16`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := odata.CompileFilter(tt.in, odata.SchemaFor(tt.kind))
			if tt.err != "" {
				var oe *odata.Error
				if !errors.As(err, &oe) {
					t.Fatalf("CompileFilter(%q) error = %v, want *odata.Error", tt.in, err)
				}
				if err.Error() != tt.err {
					t.Fatalf("CompileFilter(%q) error\n got %s\nwant %s", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("CompileFilter(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("CompileFilter(%q)\n got %s\nwant %s", tt.in, dump(got), dump(tt.want))
			}
		})
	}
}

// dump renders a condition for failure messages.
func dump(c *store.Cond) string {
	switch {
	case c == nil:
		return "<nil>"
	case c.And != nil || c.Or != nil:
		op, kids := "and", c.And
		if c.Or != nil {
			op, kids = "or", c.Or
		}
		s := "(" + op
		for _, k := range kids {
			s += " " + dump(k)
		}
		return s + ")"
	}
	return "(" + string(c.Op) + " " + fieldName(c.Field) + " " + c.Value + ")"
}

func fieldName(f store.Field) string {
	return [...]string{"name", "created", "modified", "doc:"}[f.Col] + f.Path + map[store.FieldType]string{store.TypeTime: "@time"}[f.Type]
}

func TestCompileNil(t *testing.T) {
	if _, err := odata.Compile(nil, odata.SchemaFor(store.KindAsset)); err == nil {
		t.Fatal("Compile(nil) succeeded")
	}
}

func TestSchemaForCopies(t *testing.T) {
	s := odata.SchemaFor(store.KindContentKeyPolicy)
	s["name"].Ops[0] = "zz"
	delete(s, "properties/created")
	s2 := odata.SchemaFor(store.KindContentKeyPolicy)
	if s2["name"].Ops[0] != store.OpEq || len(s2) != 5 {
		t.Fatalf("SchemaFor shares state between calls: %+v", s2)
	}
}
