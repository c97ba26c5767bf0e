package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/lockstream/lockstream/internal/store"
)

// sqlOps maps store operators to SQL; every operand is non-NULL (doc
// members are COALESCEd to the empty string), so <> behaves like Go's !=.
var sqlOps = map[store.Op]string{
	store.OpEq: "=", store.OpNe: "<>",
	store.OpGt: ">", store.OpGe: ">=",
	store.OpLt: "<", store.OpLe: "<=",
}

// query accumulates SQL text and its arguments.
type query struct {
	sql  strings.Builder
	args []any
}

func (q *query) add(s string, args ...any) {
	q.sql.WriteString(s)
	q.args = append(q.args, args...)
}

// fieldExpr returns the SQL expression a query compares for f; it matches
// store.FieldValue.
func (o *ops) fieldExpr(f store.Field) string {
	switch f.Col {
	case store.ColCreated:
		return "created"
	case store.ColModified:
		return "modified"
	case store.ColDoc:
		return o.d.DocString(f.Path)
	}
	return "name_key"
}

// fieldArg normalises a comparison value the way store.Cond.Match does.
func fieldArg(f store.Field, v string) string {
	if f.Col == store.ColName {
		return store.NameKey(v)
	}
	return v
}

func (o *ops) cond(q *query, c *store.Cond) {
	kids, join := c.And, " AND "
	if len(c.Or) > 0 {
		kids, join = c.Or, " OR "
	}
	if len(kids) == 0 {
		q.add("("+o.fieldExpr(c.Field)+" "+sqlOps[c.Op]+" ?)", fieldArg(c.Field, c.Value))
		return
	}
	q.add("(")
	for i, k := range kids {
		if i > 0 {
			q.add(join)
		}
		o.cond(q, k)
	}
	q.add(")")
}

// List implements store.Reader with keyset paging: rows are ordered by
// (order field, name_key, scope) in the requested direction, and a page
// starts strictly after the cursor's tuple. Because the tuple is unique and
// each page is a fresh query, an item that exists for the whole listing is
// returned exactly once however rows around it come and go. Limit <= 0
// means no limit.
func (o *ops) List(ctx context.Context, lq store.ListQuery) ([]*store.Resource, error) {
	if err := lq.Validate(); err != nil {
		return nil, fmt.Errorf("sqlstore: list %s: %w", lq.Kind, err)
	}
	order := store.Field{Col: store.ColName}
	if lq.OrderBy != nil {
		order = *lq.OrderBy
	}
	ov := o.fieldExpr(order)
	gt, dir := ">", " ASC"
	if lq.Desc {
		gt, dir = "<", " DESC"
	}

	var q query
	q.add(`SELECT `+resourceCols+` FROM resources WHERE kind = ?`, string(lq.Kind))
	if lq.ScopePrefix {
		q.add(` AND (scope = ? OR (scope >= ? AND scope < ?))`, lq.Scope, lq.Scope+"/", lq.Scope+"0")
	} else {
		q.add(` AND scope = ?`, lq.Scope)
	}
	if lq.Filter != nil {
		q.add(" AND ")
		o.cond(&q, lq.Filter)
	}
	if a := lq.After; a != nil {
		v := fieldArg(order, a.Value)
		q.add(" AND ("+ov+" "+gt+" ? OR ("+ov+" = ? AND (name_key "+gt+" ?", v, v, a.NameKey)
		// Within one scope (name_key, kind, scope) is unique, so the scope
		// tie-break only matters for prefix listings.
		if lq.ScopePrefix && a.Scope != "" {
			q.add(" OR (name_key = ? AND scope "+gt+" ?)", a.NameKey, a.Scope)
		}
		q.add(")))")
	}
	q.add(" ORDER BY " + ov + dir + ", name_key" + dir + ", scope" + dir + limitClause(lq.Limit))

	rows, err := o.query(ctx, q.sql.String(), q.args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list %s: %w", lq.Kind, err)
	}
	defer rows.Close()
	var out []*store.Resource
	for rows.Next() {
		r, err := scanResource(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: list %s: %w", lq.Kind, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: list %s: %w", lq.Kind, err)
	}
	return out, nil
}
