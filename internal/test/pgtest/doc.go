// Package pgtest gives tests a fresh PostgreSQL database.
//
//	func TestMain(m *testing.M) { pgtest.Main(m) } // stops the shared server
//
//	func TestX(t *testing.T) {
//		dsn := pgtest.Start(t) // new empty database, dropped when t ends
//		...
//	}
//
// With LOCKSTREAM_TEST_POSTGRES_DSN set, databases are created on that
// server (its user needs CREATEDB). Otherwise the first Start in a test
// binary runs a throwaway server: initdb into a directory under the temp
// dir, postgres on 127.0.0.1 with a free port and its unix socket in that
// directory, fsync off. As root the server runs as the "postgres" system
// user, because PostgreSQL refuses to run as root.
//
// The server is shared by all tests of the binary (starting one costs about
// a second; creating a database a few milliseconds). Main stops it and
// removes its directory; without Main the server is killed when the test
// binary exits (parent-death signal) and a later run removes the leftover
// directory.
//
// When PostgreSQL is not installed, Start skips the test, or fails it when
// CI=true, saying what is missing and how to install it.
package pgtest
