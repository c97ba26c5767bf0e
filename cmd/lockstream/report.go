package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// usageError is a command line a subcommand cannot run (exit code 2).
type usageError struct{ msg, usage string }

func (e usageError) Error() string { return "usage: " + e.msg + "\n" + e.usage }

// report prints a management subcommand's result as indented JSON, or its
// error, and returns the exit code.
func report(stdout, stderr io.Writer, prefix string, out any, err error) int {
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
		if errors.As(err, new(usageError)) {
			return 2
		}
		return 1
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	_ = enc.Encode(out)
	return 0
}
