// Package conf holds Lockstream's configuration: one Conf struct with
// defaults, loaded from an optional JSON file, then LOCKSTREAM_* environment
// variables, then command-line flags, and validated with errors that name
// the field.
package conf
