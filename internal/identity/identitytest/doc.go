// Package identitytest builds an identity.Service on a real SQLite store in
// a test's temporary directory, with a controllable clock and a recorded
// failure delay, for tests of identity and of its users (auth, the API
// server).
package identitytest
