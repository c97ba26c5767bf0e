package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	env := func(string) string { return "" }
	for _, tc := range []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{name: "version", args: []string{"version"}, wantCode: 0, wantOut: "lockstream"},
		{name: "no args", args: nil, wantCode: 2, wantErr: "usage"},
		{name: "unknown", args: []string{"dance"}, wantCode: 2, wantErr: "unknown command"},
		{name: "bad flag", args: []string{"serve", "--log-level", "loud"}, wantCode: 2, wantErr: "log.level"},
		{name: "keys usage", args: []string{"keys"}, wantCode: 2, wantErr: "rewrap"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(tc.args, env, &out, &errb); code != tc.wantCode {
				t.Fatalf("code = %d, want %d (stderr %s)", code, tc.wantCode, errb.String())
			}
			if !strings.Contains(out.String(), tc.wantOut) || !strings.Contains(errb.String(), tc.wantErr) {
				t.Fatalf("stdout %q stderr %q", out.String(), errb.String())
			}
		})
	}
}
