// Package odata parses the OData query options AMS list operations accept:
// $filter (comparisons eq ne gt ge lt le joined by and/or, with
// parentheses), $orderby and $top, and encodes the opaque $skiptoken used
// for keyset paging.
package odata
