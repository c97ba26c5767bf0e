package odata_test

import (
	"fmt"

	"github.com/lockstream/lockstream/internal/odata"
	"github.com/lockstream/lockstream/internal/store"
)

func ExampleCompileFilter() {
	schema := odata.SchemaFor(store.KindJob)
	c, err := odata.CompileFilter(
		"properties/state eq Microsoft.Media.JobState'Scheduled' and properties/created gt 2021-06-01T10:00:00+02:00", schema)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, k := range c.And {
		fmt.Println(k.Field.Col == store.ColDoc, k.Field.Path, k.Op, k.Value)
	}

	_, err = odata.CompileFilter("properties/state gt 'Queued'", schema)
	fmt.Println(err)
	// Output:
	// true state eq Scheduled
	// false  gt 2021-06-01T08:00:00.0000000Z
	// $filter: operator "gt" is not supported for property "properties/state" (supported: eq, ne) at position 17
}

func ExampleParseFilter() {
	e, err := odata.ParseFilter("(Name EQ 'a' OR name eq 'b')AND properties/created ge datetime'2021-06-01T08:00:00Z'")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e)
	// Output:
	// (Name eq 'a' or name eq 'b') and properties/created ge 2021-06-01T08:00:00Z
}

func ExampleEncodeSkipToken() {
	hash := odata.QueryHash("assets", "/subscriptions/s/resourcegroups/rg/providers/microsoft.media/mediaservices/a", "", "")
	tok := odata.EncodeSkipToken(store.Cursor{Value: "asset-7", NameKey: "asset-7"}, hash)
	c, err := odata.DecodeSkipToken(tok, hash)
	fmt.Println(c.NameKey, err)
	_, err = odata.DecodeSkipToken(tok, odata.QueryHash("assets", "other"))
	fmt.Println(err)
	// Output:
	// asset-7 <nil>
	// $skiptoken: token was issued for a different query; restart the listing without $skiptoken
}
