package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/lockstream/lockstream/internal/core"
	"github.com/lockstream/lockstream/internal/keyexchange"
)

const kxUsage = `usage:
  lockstream keyexchange apikey create NAME --account ARM_PATH [config flags]   (prints the key once)
  lockstream keyexchange apikey list --account ARM_PATH [config flags]
  lockstream keyexchange apikey delete NAME --account ARM_PATH [config flags]
  lockstream keyexchange signer put NAME --account ARM_PATH --aes-signing-key HEX64 --aes-signing-iv HEX32 [config flags]
  lockstream keyexchange signer list --account ARM_PATH [config flags]
  lockstream keyexchange signer delete NAME --account ARM_PATH [config flags]`

// keyExchangeCmd manages SPEKE API keys and Widevine key-server signers
// offline, against the configured store.
func keyExchangeCmd(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	opts := map[string]string{}
	var pos, rest []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		key, val, hasVal := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		switch {
		case !strings.HasPrefix(arg, "-") && len(rest) == 0:
			pos = append(pos, arg)
		case strings.HasPrefix(arg, "-") && (key == "account" || key == "aes-signing-key" || key == "aes-signing-iv"):
			if !hasVal {
				if i+1 >= len(args) {
					fmt.Fprintf(stderr, "lockstream keyexchange: --%s needs a value\n", key)
					return 2
				}
				i++
				val = args[i]
			}
			opts[key] = val
		default:
			rest = append(rest, arg)
		}
	}
	if len(pos) < 2 || opts["account"] == "" {
		fmt.Fprintln(stderr, kxUsage)
		return 2
	}
	verb := pos[0] + " " + pos[1]
	name := ""
	switch verb {
	case "apikey create", "apikey delete", "signer put", "signer delete":
		if len(pos) != 3 {
			fmt.Fprintln(stderr, kxUsage)
			return 2
		}
		name = pos[2]
	case "apikey list", "signer list":
		if len(pos) != 2 {
			fmt.Fprintln(stderr, kxUsage)
			return 2
		}
	default:
		fmt.Fprintln(stderr, kxUsage)
		return 2
	}
	c, code, ok := load("lockstream keyexchange", rest, getenv, stderr)
	if !ok {
		return code
	}
	ctx := context.Background()
	creds, acct, closeFn, err := core.OpenKeyExchange(ctx, c, opts["account"])
	if err != nil {
		fmt.Fprintln(stderr, "lockstream keyexchange:", err)
		return 1
	}
	defer closeFn()
	var out any
	switch verb {
	case "apikey create":
		var key string
		if key, err = creds.CreateAPIKey(ctx, acct, name); err == nil {
			out = map[string]string{"name": name, "key": key, "mediaServiceId": acct.ID}
		}
	case "apikey list":
		out, err = creds.List(ctx, acct, keyexchange.KindAPIKey)
	case "apikey delete":
		err = creds.Delete(ctx, acct, keyexchange.KindAPIKey, name)
		out = map[string]string{"deleted": name}
	case "signer put":
		err = creds.PutSigner(ctx, acct, name, opts["aes-signing-key"], opts["aes-signing-iv"])
		out = map[string]string{"name": name, "mediaServiceId": acct.ID}
	case "signer list":
		out, err = creds.List(ctx, acct, keyexchange.KindWidevineSigner)
	case "signer delete":
		err = creds.Delete(ctx, acct, keyexchange.KindWidevineSigner, name)
		out = map[string]string{"deleted": name}
	}
	return report(stdout, stderr, "lockstream keyexchange "+verb, out, err)
}
