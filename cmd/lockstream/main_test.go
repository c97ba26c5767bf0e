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
		{name: "help", args: []string{"help"}, wantCode: 0, wantOut: "config keys"},
		{name: "-h", args: []string{"-h"}, wantCode: 0, wantOut: "serve "},
		{name: "--help", args: []string{"--help"}, wantCode: 0, wantOut: "user "},
		{name: "serve -h shows defaults", args: []string{"serve", "-h"}, wantCode: 0, wantErr: "(default 127.0.0.1:8080)"},
		{name: "config keys", args: []string{"config", "keys"}, wantCode: 0, wantOut: "| `api.listen` | `LOCKSTREAM_API_LISTEN` | `--api-listen` | `127.0.0.1:8080` |"},
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

// TestCLIHelpAndErrors: help answers with the commands, not "unknown
// command"; a wrong flag prints the usage first and its error last.
func TestCLIHelpAndErrors(t *testing.T) {
	env := func(string) string { return "" }
	for _, a := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		var out, errb bytes.Buffer
		if code := run(a, env, &out, &errb); code != 0 || strings.Contains(out.String()+errb.String(), "unknown command") {
			t.Fatalf("%v: code %d, %q %q", a, code, out.String(), errb.String())
		}
		for _, cmd := range []string{"serve", "keys rewrap", "keys export", "keyexchange", "sp", "role", "user", "license-server", "key-provider", "events", "job", "config keys", "version", "help"} {
			if !strings.Contains(out.String(), "\n  "+cmd+" ") {
				t.Errorf("%v: help lacks %q", a, cmd)
			}
		}
	}
	// Each command's -h is its own usage on stdout, exit 0 (not the
	// configuration flags, not an error).
	for _, cmd := range []string{"sp", "role", "user", "job", "events", "keyexchange", "license-server", "key-provider"} {
		var out, errb bytes.Buffer
		if code := run([]string{cmd, "-h"}, env, &out, &errb); code != 0 || !strings.Contains(out.String(), "lockstream "+cmd+" ") || strings.Contains(out.String(), "-api-listen") {
			t.Errorf("%s -h: code %d, stdout %q, stderr %q", cmd, code, out.String(), errb.String())
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"serve", "--no-such-flag"}, env, &out, &errb); code != 2 {
		t.Fatalf("bad flag: code %d", code)
	}
	lines := strings.Split(strings.TrimRight(errb.String(), "\n"), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, "no-such-flag") {
		t.Fatalf("last line %q, want the error", last)
	}
	if strings.Count(errb.String(), "no-such-flag") != 1 || !strings.Contains(errb.String(), "-api-listen") {
		t.Fatalf("want the usage once, then the error once:\n%s", errb.String())
	}
}
