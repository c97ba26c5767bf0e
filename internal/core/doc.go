// Package core is Lockstream's composition root: it opens the stores, the
// key ring and the blob backend chosen by configuration, builds each role's
// HTTP handler, runs the listeners and closes everything in order.
package core
