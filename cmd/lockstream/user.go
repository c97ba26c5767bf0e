package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/lockstream/lockstream/internal/core"
	"github.com/lockstream/lockstream/internal/sts"
)

const userUsage = `usage:
  lockstream user create NAME [--display-name TEXT] [--group GROUP]... [--no-secret | --secret-file FILE] [config flags]
  lockstream user list [config flags]
  lockstream user get NAME [config flags]
  lockstream user delete NAME [config flags]
  lockstream user secret reset NAME [--secret-file FILE] [config flags]
  lockstream user group add NAME GROUP [config flags]
  lockstream user group remove NAME GROUP [config flags]
  lockstream user claim set NAME CLAIM VALUE [--string] [config flags]   (VALUE is JSON when it parses, else text)
  lockstream user claim remove NAME CLAIM [config flags]
Users get playback tokens from the token service (POST <api>/sts/token); a generated secret is printed once.`

// userArgs are the user command's words and options; the rest are
// configuration flags.
type userArgs struct {
	pos         []string
	displayName string
	groups      []string
	noSecret    bool
	secretFile  string
	asString    bool
	rest        []string
}

func splitUserArgs(args []string) (userArgs, error) {
	var a userArgs
	for i := 0; i < len(args); i++ {
		arg := args[i]
		key, val, hasVal := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		value := func() (string, error) {
			if hasVal {
				return val, nil
			}
			if i+1 >= len(args) {
				return "", fmt.Errorf("--%s needs a value", key)
			}
			i++
			return args[i], nil
		}
		var err error
		switch {
		case !strings.HasPrefix(arg, "-") && len(a.rest) == 0:
			a.pos = append(a.pos, arg)
		case !strings.HasPrefix(arg, "-"):
			a.rest = append(a.rest, arg)
		case key == "display-name":
			a.displayName, err = value()
		case key == "group":
			var g string
			g, err = value()
			a.groups = append(a.groups, g)
		case key == "secret-file":
			a.secretFile, err = value()
		case key == "no-secret" && !hasVal:
			a.noSecret = true
		case key == "string" && !hasVal:
			a.asString = true
		default:
			a.rest = append(a.rest, arg)
		}
		if err != nil {
			return a, err
		}
	}
	if a.noSecret && a.secretFile != "" {
		return a, fmt.Errorf("--no-secret and --secret-file exclude each other")
	}
	return a, nil
}

// userCmd runs the user commands against the configured store.
func userCmd(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	a, err := splitUserArgs(args)
	if err != nil || len(a.pos) == 0 {
		if err != nil {
			fmt.Fprintln(stderr, "lockstream user:", err)
		}
		fmt.Fprintln(stderr, userUsage)
		return 2
	}
	c, code, ok := load("lockstream user", a.rest, getenv, stderr)
	if !ok {
		return code
	}
	ctx := context.Background()
	svc, closeFn, err := core.OpenSTS(ctx, c)
	if err != nil {
		fmt.Fprintln(stderr, "lockstream:", err)
		return 1
	}
	defer closeFn()
	out, err := runUser(ctx, svc, a)
	return report(stdout, stderr, "lockstream user", out, err)
}

func wantWords(a userArgs, n int) error {
	if len(a.pos) != n {
		return usageError{"wrong number of arguments", userUsage}
	}
	return nil
}

// readSecret reads an operator-chosen secret from a file, without its
// trailing newline.
func readSecret(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read secret file: %w", err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

func runUser(ctx context.Context, svc *sts.Service, a userArgs) (any, error) {
	verb := a.pos[0]
	if (verb == "group" || verb == "claim" || verb == "secret") && len(a.pos) > 1 {
		verb += " " + a.pos[1]
		a.pos = a.pos[1:]
	}
	switch verb {
	case "create":
		if err := wantWords(a, 2); err != nil {
			return nil, err
		}
		secret, err := readSecret(a.secretFile)
		if err != nil {
			return nil, err
		}
		u, generated, err := svc.CreateUser(ctx, sts.UserOptions{Name: a.pos[1], DisplayName: a.displayName,
			Secret: secret, GenerateSecret: !a.noSecret, Groups: a.groups})
		if err != nil {
			return nil, err
		}
		out := map[string]any{"user": u, "issuer": svc.Issuer(), "audience": svc.Audience()}
		if generated != "" {
			out["secret"] = generated
		}
		return out, nil
	case "list":
		if err := wantWords(a, 1); err != nil {
			return nil, err
		}
		all := []sts.User{}
		after := ""
		for {
			us, next, err := svc.ListUsers(ctx, after, 500)
			if err != nil {
				return nil, err
			}
			all = append(all, us...)
			if next == "" {
				return all, nil
			}
			after = next
		}
	case "get":
		if err := wantWords(a, 2); err != nil {
			return nil, err
		}
		return svc.GetUser(ctx, a.pos[1])
	case "delete":
		if err := wantWords(a, 2); err != nil {
			return nil, err
		}
		return map[string]string{"deleted": a.pos[1]}, svc.DeleteUser(ctx, a.pos[1])
	case "secret reset":
		if err := wantWords(a, 2); err != nil {
			return nil, err
		}
		secret, err := readSecret(a.secretFile)
		if err != nil {
			return nil, err
		}
		generated, err := svc.SetSecret(ctx, a.pos[1], secret)
		if err != nil {
			return nil, err
		}
		out := map[string]any{"user": a.pos[1]}
		if generated != "" {
			out["secret"] = generated
		}
		return out, nil
	case "group add":
		if err := wantWords(a, 3); err != nil {
			return nil, err
		}
		return svc.AddGroup(ctx, a.pos[1], a.pos[2])
	case "group remove":
		if err := wantWords(a, 3); err != nil {
			return nil, err
		}
		return svc.RemoveGroup(ctx, a.pos[1], a.pos[2])
	case "claim set":
		if err := wantWords(a, 4); err != nil {
			return nil, err
		}
		v := json.RawMessage(a.pos[3])
		if a.asString || !json.Valid(v) || string(v) == "null" {
			b, err := json.Marshal(a.pos[3])
			if err != nil {
				return nil, fmt.Errorf("encode claim value: %w", err)
			}
			v = b
		}
		return svc.SetClaim(ctx, a.pos[1], a.pos[2], v)
	case "claim remove":
		if err := wantWords(a, 3); err != nil {
			return nil, err
		}
		return svc.SetClaim(ctx, a.pos[1], a.pos[2], json.RawMessage(`null`))
	}
	return nil, usageError{fmt.Sprintf("unknown command %q", "user "+verb), userUsage}
}
