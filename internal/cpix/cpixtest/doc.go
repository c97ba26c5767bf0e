// Package cpixtest validates CPIX documents with xmllint, for the tests
// of every package that emits CPIX.
//
// Two schemas are involved:
//
//   - Lockstream's own schema, committed in internal/cpix/schema
//     (cpix-2.3.xsd, cpix-2.4.xsd and the pskc, xenc and xmldsig
//     companions). It was written for Lockstream from the public CPIX
//     specification and is always used: a test needs only xmllint
//     (libxml2-utils, which scripts/test installs from Debian).
//   - The official DASH-IF XSD, when a developer has downloaded it with
//     scripts/cpix-xsd into internal/cpix/testdata/xsd/<version>/ (it
//     carries no licence, so it is never committed, and CI, which cannot
//     reach GitHub, does not have it). When present, every document is
//     additionally validated against it, so a local run also proves that
//     the own schema accepts nothing Lockstream writes that DASH-IF's
//     would refuse. Its absence is never a failure or a skip.
//
// Without xmllint a test skips, except under CI=true, where it fails: a
// silent skip there would hide an unvalidated writer.
package cpixtest
