package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/lockstream/lockstream/internal/core"
	"github.com/lockstream/lockstream/internal/keyprovider"
)

const keyProviderUsage = `usage:
  lockstream key-provider put ACCOUNT NAME --file FILE [config flags]   (FILE: the properties JSON, "-" for stdin)
  lockstream key-provider list ACCOUNT [config flags]
  lockstream key-provider delete ACCOUNT NAME [config flags]
ACCOUNT is the account's ARM path (/subscriptions/S/resourceGroups/RG/providers/Microsoft.Media/mediaServices/NAME).
Same resource as PUT …/mediaServices/NAME/keyProviders/NAME in the API; secrets are sealed and never printed.`

func keyProviderCmd(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	var pos, rest []string
	file := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--file" || a == "-file":
			if i+1 >= len(args) {
				fmt.Fprintln(stderr, keyProviderUsage)
				return 2
			}
			i++
			file = args[i]
		case strings.HasPrefix(a, "--file="):
			file = strings.TrimPrefix(a, "--file=")
		case !strings.HasPrefix(a, "-") && len(rest) == 0:
			pos = append(pos, a)
		default:
			rest = append(rest, a)
		}
	}
	want := map[string]int{"put": 3, "list": 2, "delete": 3}
	if len(pos) == 0 || want[pos[0]] != len(pos) || (pos[0] == "put") != (file != "") {
		fmt.Fprintln(stderr, keyProviderUsage)
		return 2
	}
	c, code, ok := load("lockstream key-provider", rest, getenv, stderr)
	if !ok {
		return code
	}
	ctx := context.Background()
	adm, closeFn, err := core.OpenKeyProviders(ctx, c)
	if err != nil {
		fmt.Fprintln(stderr, "lockstream:", err)
		return 1
	}
	defer func() { _ = closeFn() }()
	var out any
	switch pos[0] {
	case "put":
		var b []byte
		if file == "-" {
			b, err = io.ReadAll(io.LimitReader(stdin, 1<<20))
		} else {
			b, err = os.ReadFile(file)
		}
		if err == nil {
			var p keyprovider.Properties
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.DisallowUnknownFields()
			if err = dec.Decode(&p); err == nil {
				var created bool
				created, err = adm.Put(ctx, pos[1], pos[2], &p)
				out = map[string]any{"name": pos[2], "created": created, "properties": p.Redacted()}
			}
		}
	case "list":
		out, err = adm.List(ctx, pos[1])
	case "delete":
		err = adm.Delete(ctx, pos[1], pos[2])
		out = map[string]any{"deleted": pos[2]}
	}
	return report(stdout, stderr, "lockstream key-provider", out, err)
}
