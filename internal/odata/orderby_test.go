package odata_test

import (
	"reflect"
	"testing"

	"github.com/lockstream/lockstream/internal/odata"
	"github.com/lockstream/lockstream/internal/store"
)

func TestParseOrderBy(t *testing.T) {
	tests := []struct {
		name      string
		kind      store.Kind
		in        string
		wantField *store.Field
		wantDesc  bool
		err       string
	}{
		{name: "empty", kind: store.KindAsset, in: ""},
		{name: "blank", kind: store.KindAsset, in: "  \t"},
		{name: "name", kind: store.KindAsset, in: "name", wantField: &fName},
		{name: "name asc", kind: store.KindAsset, in: "name asc", wantField: &fName},
		{name: "created desc", kind: store.KindAsset, in: "properties/created desc", wantField: &fCreated, wantDesc: true},
		{name: "case and spacing", kind: store.KindJob, in: "  Properties/Created\tDESC ", wantField: &fCreated, wantDesc: true},
		// Microsoft's Node sample list-assets-filtered.ts sends orderby "asc".
		{name: "bare asc", kind: store.KindAsset, in: "asc", wantField: &fName},
		{name: "bare desc", kind: store.KindStreamingLocator, in: " DESC", wantField: &fName, wantDesc: true},
		{name: "bare direction, no name", kind: store.KindTrack, in: "asc",
			err: `$orderby: a direction needs a property to order by at position 0`},
		{name: "doc time field", kind: store.KindStreamingLocator, in: "properties/endTime asc",
			wantField: &store.Field{Col: store.ColDoc, Path: "endTime", Type: store.TypeTime}},

		{name: "unknown property", kind: store.KindAsset, in: "properties/foo",
			err: `$orderby: unknown property "properties/foo" at position 0`},
		{name: "not sortable", kind: store.KindContentKeyPolicy, in: "properties/description desc",
			err: `$orderby: property "properties/description" is not sortable at position 0`},
		{name: "bad direction", kind: store.KindAsset, in: "name up",
			err: `$orderby: expected "asc" or "desc" after "name", found "up" at position 5`},
		{name: "extra word", kind: store.KindAsset, in: "name asc name",
			err: `$orderby: unexpected "name" at position 9`},
		{name: "two keys", kind: store.KindAsset, in: "name asc, properties/created desc",
			err: `$orderby: only one ordering key is supported at position 8`},
		{name: "kind without schema", kind: store.KindTrack, in: "name",
			err: `$orderby: unknown property "name" at position 0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, desc, err := odata.ParseOrderBy(tt.in, odata.SchemaFor(tt.kind))
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("ParseOrderBy(%q) error = %v, want %s", tt.in, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseOrderBy(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(f, tt.wantField) || desc != tt.wantDesc {
				t.Fatalf("ParseOrderBy(%q) = %+v, %v; want %+v, %v", tt.in, f, desc, tt.wantField, tt.wantDesc)
			}
		})
	}
}
