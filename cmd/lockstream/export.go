package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/lockstream/lockstream/internal/core"
	"github.com/lockstream/lockstream/internal/keyexchange"
)

const exportUsage = `usage:
  lockstream keys export --cpix --account ARM_PATH --locator NAME [--recipient CERT_FILE] [--cpix-version 2.3|2.4] [--out FILE] [config flags]
    writes the locator's content keys as a CPIX document (to stdout unless --out),
    encrypted to the recipient certificate (PEM or DER, RSA >= 2048) when given`

// exportCmd runs `keys export --cpix`.
func exportCmd(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	opts := map[string]string{}
	var rest []string
	cpixFlag := false
	for i := 0; i < len(args); i++ {
		key, val, hasVal := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		switch {
		case key == "cpix" && strings.HasPrefix(args[i], "-"):
			cpixFlag = true
		case strings.HasPrefix(args[i], "-") && (key == "account" || key == "locator" || key == "recipient" || key == "out" || key == "cpix-version"):
			if !hasVal {
				if i+1 >= len(args) {
					fmt.Fprintf(stderr, "lockstream keys export: --%s needs a value\n%s\n", key, exportUsage)
					return 2
				}
				i++
				val = args[i]
			}
			opts[key] = val
		default:
			rest = append(rest, args[i])
		}
	}
	if !cpixFlag || opts["account"] == "" || opts["locator"] == "" {
		fmt.Fprintln(stderr, exportUsage)
		return 2
	}
	c, code, ok := load("lockstream keys export", rest, getenv, stderr)
	if !ok {
		return code
	}
	var der []byte
	if f := opts["recipient"]; f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintln(stderr, "lockstream keys export:", err)
			return 1
		}
		if der, err = keyexchange.RecipientDER(b); err != nil {
			fmt.Fprintln(stderr, "lockstream keys export:", err)
			return 1
		}
	}
	doc, err := core.ExportLocatorKeys(context.Background(), c, opts["account"], opts["locator"], opts["cpix-version"], der)
	if err != nil {
		fmt.Fprintln(stderr, "lockstream keys export:", err)
		return 1
	}
	if out := opts["out"]; out != "" {
		// 0600: the document may hold clear keys.
		if err := os.WriteFile(out, doc, 0o600); err != nil {
			fmt.Fprintln(stderr, "lockstream keys export:", err)
			return 1
		}
		return 0
	}
	_, _ = stdout.Write(doc)
	return 0
}
