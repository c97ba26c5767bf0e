package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/core"
	"github.com/lockstream/lockstream/internal/keyprovider"
	"github.com/lockstream/lockstream/internal/license/settings"
)

// sealedAdmin is what the CLI needs of the admin of an account-level
// Lockstream resource whose secrets are sealed (license servers, key
// providers).
type sealedAdmin[P, N any] interface {
	Put(ctx context.Context, accountPath, name string, p *P) (bool, error)
	List(ctx context.Context, accountPath string) ([]N, error)
	Delete(ctx context.Context, accountPath, name string) error
}

// sealedResource is one such resource's command: put, list, delete, the
// same resource as the API's …/mediaServices/NAME/<collection>/NAME.
type sealedResource[P interface{ Redacted() P }, N any] struct {
	command    string // "license-server"
	collection string // "licenseServers"
	open       func(context.Context, conf.Conf) (sealedAdmin[P, N], func() error, error)
}

var (
	licenseServerCommand = sealedResource[settings.Properties, settings.Named]{
		command: "license-server", collection: "licenseServers",
		open: func(ctx context.Context, c conf.Conf) (sealedAdmin[settings.Properties, settings.Named], func() error, error) {
			return core.OpenLicenseServers(ctx, c)
		},
	}
	keyProviderCommand = sealedResource[keyprovider.Properties, keyprovider.Named]{
		command: "key-provider", collection: "keyProviders",
		open: func(ctx context.Context, c conf.Conf) (sealedAdmin[keyprovider.Properties, keyprovider.Named], func() error, error) {
			return core.OpenKeyProviders(ctx, c)
		},
	}
)

func (r sealedResource[P, N]) usage() string {
	return fmt.Sprintf(`usage:
  lockstream %[1]s put ACCOUNT NAME --file FILE [config flags]   (FILE: the properties JSON, "-" for stdin)
  lockstream %[1]s list ACCOUNT [config flags]
  lockstream %[1]s delete ACCOUNT NAME [config flags]
ACCOUNT is the account's ARM path (/subscriptions/S/resourceGroups/RG/providers/Microsoft.Media/mediaServices/NAME).
Same resource as PUT …/mediaServices/NAME/%[2]s/NAME in the API; secrets are sealed and never printed.`, r.command, r.collection)
}

func (r sealedResource[P, N]) run(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	var pos, rest []string
	file := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--file" || a == "-file":
			if i+1 >= len(args) {
				fmt.Fprintln(stderr, r.usage())
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
		fmt.Fprintln(stderr, r.usage())
		return 2
	}
	name := "lockstream " + r.command
	c, code, ok := load(name, rest, getenv, stderr)
	if !ok {
		return code
	}
	ctx := context.Background()
	adm, closeFn, err := r.open(ctx, c)
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
			var p P
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
	return report(stdout, stderr, name, out, err)
}
