package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/core"
	"github.com/lockstream/lockstream/internal/identity"
)

const spUsage = `usage:
  lockstream sp create [--name NAME] [--lifetime DURATION] [config flags]
  lockstream sp list [config flags]
  lockstream sp delete APP_ID [config flags]
  lockstream sp secret add APP_ID [--name NAME] [--lifetime DURATION] [config flags]
  lockstream sp secret remove APP_ID KEY_ID [config flags]
  lockstream role assign APP_ID ROLE SCOPE [config flags]   (SCOPE: * or an account's ARM path)
  lockstream role list APP_ID [config flags]
  lockstream role remove APP_ID ASSIGNMENT_ID [config flags]`

// cmdArgs splits a command line into positional words, the command's own
// options (--name, --lifetime) and the remaining configuration flags.
type cmdArgs struct {
	pos      []string
	name     string
	lifetime time.Duration
	rest     []string
}

func splitArgs(args []string) (cmdArgs, error) {
	var a cmdArgs
	for i := 0; i < len(args); i++ {
		arg := args[i]
		key, val, hasVal := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		switch {
		case !strings.HasPrefix(arg, "-") && len(a.rest) == 0:
			a.pos = append(a.pos, arg)
		case strings.HasPrefix(arg, "-") && (key == "name" || key == "lifetime"):
			if !hasVal {
				if i+1 >= len(args) {
					return a, fmt.Errorf("--%s needs a value", key)
				}
				i++
				val = args[i]
			}
			if key == "name" {
				a.name = val
			} else {
				d, err := time.ParseDuration(val)
				if err != nil {
					return a, fmt.Errorf("--lifetime: %w", err)
				}
				a.lifetime = d
			}
		default:
			a.rest = append(a.rest, arg)
		}
	}
	return a, nil
}

// identityCmd runs the sp and role commands against the configured store.
func identityCmd(group string, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	a, err := splitArgs(args)
	if err != nil || len(a.pos) == 0 {
		fmt.Fprintln(stderr, spUsage)
		return 2
	}
	c, code, ok := load("lockstream "+group, a.rest, getenv, stderr)
	if !ok {
		return code
	}
	ctx := context.Background()
	svc, closeFn, err := core.OpenIdentity(ctx, c)
	if err != nil {
		fmt.Fprintln(stderr, "lockstream:", err)
		return 1
	}
	defer closeFn()
	out, err := runIdentity(ctx, svc, &c, group, a)
	return report(stdout, stderr, "lockstream "+group, out, err)
}

func want(a cmdArgs, n int) error {
	if len(a.pos) != n {
		return usageError{"wrong number of arguments", spUsage}
	}
	return nil
}

func runIdentity(ctx context.Context, svc *identity.Service, c *conf.Conf, group string, a cmdArgs) (any, error) {
	verb := group + " " + a.pos[0]
	if group == "sp" && a.pos[0] == "secret" && len(a.pos) > 1 {
		verb = "sp secret " + a.pos[1]
		a.pos = a.pos[1:]
	}
	switch verb {
	case "sp create":
		if err := want(a, 1); err != nil {
			return nil, err
		}
		p, err := svc.CreatePrincipal(ctx, identity.CreatePrincipalOptions{DisplayName: a.name})
		if err != nil {
			return nil, err
		}
		info, secret, err := svc.AddSecret(ctx, p.ClientID, identity.SecretOptions{Lifetime: a.lifetime})
		if err != nil {
			return nil, err
		}
		return map[string]any{"appId": p.ClientID, "objectId": p.ObjectID, "displayName": p.DisplayName,
			"tenant": c.Identity.TenantID, "secret": secret, "secretKeyId": info.KeyID, "secretExpires": info.End,
			"scope": c.Identity.Audience + "/.default"}, nil
	case "sp list":
		var all []identity.Principal
		after := ""
		for {
			ps, next, err := svc.ListPrincipals(ctx, after, 100)
			if err != nil {
				return nil, err
			}
			all = append(all, ps...)
			if next == "" {
				return all, nil
			}
			after = next
		}
	case "sp delete":
		if err := want(a, 2); err != nil {
			return nil, err
		}
		return map[string]string{"deleted": a.pos[1]}, svc.DeletePrincipal(ctx, a.pos[1])
	case "sp secret add":
		if err := want(a, 2); err != nil {
			return nil, err
		}
		info, secret, err := svc.AddSecret(ctx, a.pos[1], identity.SecretOptions{DisplayName: a.name, Lifetime: a.lifetime})
		if err != nil {
			return nil, err
		}
		return map[string]any{"appId": a.pos[1], "keyId": info.KeyID, "secret": secret, "expires": info.End}, nil
	case "sp secret remove":
		if err := want(a, 3); err != nil {
			return nil, err
		}
		return map[string]string{"removed": a.pos[2]}, svc.RemoveSecret(ctx, a.pos[1], a.pos[2])
	case "role assign":
		if err := want(a, 4); err != nil {
			return nil, err
		}
		return svc.AssignRole(ctx, a.pos[1], a.pos[2], a.pos[3])
	case "role list":
		if err := want(a, 2); err != nil {
			return nil, err
		}
		return svc.ListRoles(ctx, a.pos[1])
	case "role remove":
		if err := want(a, 3); err != nil {
			return nil, err
		}
		return map[string]string{"removed": a.pos[2]}, svc.RemoveRole(ctx, a.pos[1], a.pos[2])
	}
	return nil, usageError{fmt.Sprintf("unknown command %q", verb), spUsage}
}
