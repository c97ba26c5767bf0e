// Package storetest is the conformance suite every store.Store backend
// runs from its tests:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { ... fresh, empty store ... })
//	}
//
// Expected results of listings come from the reference semantics in
// package store (Cond.Match, CompareOrder, DocMember), so the suite also
// checks that backends agree with the helpers the API layer builds cursors
// with.
package storetest
