// Package archtest checks the shape of the import graph, so that the
// layering ARCHITECTURE.md draws stays true as code moves.
package archtest
