package odata

import (
	"slices"

	"github.com/lockstream/lockstream/internal/store"
)

// Operator sets of the AMS property table.
var (
	opsEq         = []store.Op{store.OpEq}
	opsEqNe       = []store.Op{store.OpEq, store.OpNe}
	opsAll        = []store.Op{store.OpEq, store.OpNe, store.OpGt, store.OpGe, store.OpLt, store.OpLe}
	opsRange      = []store.Op{store.OpGt, store.OpGe, store.OpLt, store.OpLe}
	opsNoNe       = []store.Op{store.OpEq, store.OpGt, store.OpGe, store.OpLt, store.OpLe}
	opsEqGtLt     = []store.Op{store.OpEq, store.OpGt, store.OpLt}
	fieldName     = store.Field{Col: store.ColName, Type: store.TypeString}
	fieldCreated  = store.Field{Col: store.ColCreated, Type: store.TypeTime}
	fieldModified = store.Field{Col: store.ColModified, Type: store.TypeTime}
)

func docString(path string) store.Field {
	return store.Field{Col: store.ColDoc, Path: path, Type: store.TypeString}
}

func docTime(path string) store.Field {
	return store.Field{Col: store.ColDoc, Path: path, Type: store.TypeTime}
}

// SchemaFor returns the $filter/$orderby schema AMS documents for a kind
// (reference §5), or nil for kinds whose lists take neither option; with a
// nil schema every property is unknown. properties/created and
// properties/lastModified map to the Created and Modified columns; other
// properties/<field> paths map to the top-level Doc member <field>. The
// result is a new map the caller may modify.
func SchemaFor(kind store.Kind) Schema {
	s := schemaFor(kind)
	for k, p := range s {
		p.Ops = slices.Clone(p.Ops)
		s[k] = p
	}
	return s
}

func schemaFor(kind store.Kind) Schema {
	switch kind {
	case store.KindAsset:
		return Schema{
			"name":                   {Field: fieldName, Ops: opsNoNe, Sortable: true},
			"properties/alternateid": {Field: docString("alternateId"), Ops: opsEq},
			"properties/assetid":     {Field: docString("assetId"), Ops: opsEq},
			"properties/created":     {Field: fieldCreated, Ops: opsEqGtLt, Sortable: true},
		}
	case store.KindContentKeyPolicy:
		return Schema{
			"name":                    {Field: fieldName, Ops: opsAll, Sortable: true},
			"properties/created":      {Field: fieldCreated, Ops: opsAll, Sortable: true},
			"properties/lastmodified": {Field: fieldModified, Ops: opsAll, Sortable: true},
			"properties/description":  {Field: docString("description"), Ops: opsAll},
			"properties/policyid":     {Field: docString("policyId"), Ops: opsEqNe},
		}
	case store.KindJob:
		return Schema{
			"name":                    {Field: fieldName, Ops: opsEq, Sortable: true},
			"properties/state":        {Field: docString("state"), Ops: opsEqNe},
			"properties/created":      {Field: fieldCreated, Ops: opsRange, Sortable: true},
			"properties/lastmodified": {Field: fieldModified, Ops: opsRange, Sortable: true},
		}
	case store.KindStreamingLocator:
		return Schema{
			"name":               {Field: fieldName, Ops: opsAll, Sortable: true},
			"properties/created": {Field: fieldCreated, Ops: opsAll, Sortable: true},
			"properties/endtime": {Field: docTime("endTime"), Ops: opsAll, Sortable: true},
		}
	case store.KindStreamingPolicy, store.KindLicenseServer, store.KindKeyProvider:
		return Schema{
			"name":               {Field: fieldName, Ops: opsAll, Sortable: true},
			"properties/created": {Field: fieldCreated, Ops: opsAll, Sortable: true},
		}
	case store.KindTransform:
		return Schema{
			"name":                    {Field: fieldName, Ops: opsEq, Sortable: true},
			"properties/created":      {Field: fieldCreated, Ops: opsRange, Sortable: true},
			"properties/lastmodified": {Field: fieldModified, Ops: opsRange, Sortable: true},
		}
	}
	return nil
}
