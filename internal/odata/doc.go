// Package odata parses the OData query options AMS list operations accept:
// $filter (comparisons eq ne gt ge lt le joined by and/or, with
// parentheses), $orderby and $top, and encodes the opaque $skiptoken used
// for keyset paging.
//
// A list handler typically does:
//
//	schema := odata.SchemaFor(store.KindAsset)
//	expr, err := odata.ParseFilter(q.Get("$filter"))   // nil when absent
//	cond, err := odata.Compile(expr, schema)           // or CompileFilter
//	field, desc, err := odata.ParseOrderBy(q.Get("$orderby"), schema)
//	hash := odata.QueryHash(string(kind), scope, exprString, orderBy)
//	cursor, err := odata.DecodeSkipToken(q.Get("$skiptoken"), hash)
//	...
//	next := odata.EncodeSkipToken(store.Cursor{...last item...}, hash)
//
// where exprString is expr.String() (canonical, so spacing and keyword
// case do not change the hash). Skip if expr is nil.
//
// Parsing is separate from compiling: ParseFilter checks syntax and builds
// an Expr whose String method renders a canonical filter; Compile checks
// each property and operator against a per-entity Schema and produces a
// store.Cond. Inputs are bounded (MaxFilterLength, MaxDepth, MaxTerms,
// MaxTop, MaxSkipTokenLength) so one request cannot cost much.
//
// Every error is an *Error naming the option and, where it applies, the
// byte position of the offending element; its text is meant for the client
// (a 400 response).
package odata
