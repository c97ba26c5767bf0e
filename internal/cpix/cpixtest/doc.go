// Package cpixtest validates CPIX documents against the DASH-IF XML
// schemas with xmllint, for the tests of every package that emits CPIX.
// The schemas are downloaded by scripts/cpix-xsd into
// internal/cpix/testdata/xsd/<version>/ (they are not redistributable, so
// not committed).
package cpixtest
