// Package odata parses the OData query options AMS list operations accept:
// $filter (comparisons eq ne gt ge lt le joined by and/or, with
// parentheses), $orderby and $top, and encodes the opaque $skiptoken used
// for keyset paging.
//
// A list handler typically does:
//
//	schema := odata.SchemaFor(kind)
//	q.Filter, err = odata.CompileFilter(qs.Get("$filter"), schema)
//	q.OrderBy, q.Desc, err = odata.ParseOrderBy(qs.Get("$orderby"), schema)
//	top, err := odata.ParseTop(qs.Get("$top"))
//	hash := odata.QueryHash(string(kind), q.Scope, filter, orderby)
//	cur, err := odata.DecodeSkipToken(qs.Get("$skiptoken"), hash)
//	...
//	next := odata.EncodeSkipToken(store.CursorOf(last, q.OrderBy), hash)
//
// Parsing is separate from compiling: ParseFilter checks syntax and builds
// an Expr whose String method renders a canonical filter (hash that
// instead of the raw text if differently spelled filters should share
// tokens); Compile checks each property and operator against a per-entity
// Schema and produces a store.Cond. Inputs are bounded (MaxFilterLength,
// MaxDepth, MaxTerms, MaxTop, MaxSkipTokenLength) so one request cannot
// cost much.
//
// Every error is an *Error naming the option and, where it applies, the
// byte position of the offending element; its text is meant for the client
// (a 400 response).
package odata
