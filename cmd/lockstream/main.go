// Command lockstream runs the Lockstream content-protection platform.
//
//	lockstream serve [flags]        run the server (all roles by default)
//	lockstream keys rewrap [flags]  re-seal every stored secret under the current KEK
//	lockstream sp …                 manage service principals (see "lockstream sp")
//	lockstream role …               manage role assignments
//	lockstream user …               manage playback token users (see "lockstream user")
//	lockstream job list|show|cancel encoding jobs (see "lockstream job")
//	lockstream config keys          the config file's JSON keys, env variables, flags, defaults
//	lockstream license-server …     manage an account's DRM license servers (see "lockstream license-server")
//	lockstream key-provider …       manage an account's CPIX/SPEKE key providers (see "lockstream key-provider")
//	lockstream events …             manage Event Grid event subscriptions (see "lockstream events")
//	lockstream version              print the version
//	lockstream help                 list the commands
//
// Every flag also has a LOCKSTREAM_* environment variable and a key in the
// optional JSON config file (--config); run "lockstream serve -h".
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/lockstream/lockstream/internal/conf"
	"github.com/lockstream/lockstream/internal/core"
	"github.com/lockstream/lockstream/internal/logger"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// helpText is the top-level help.
const helpText = `lockstream: self-hosted content protection with the AMS v3 management API

usage: lockstream <command> [arguments]

commands:
  serve           run a node: management API, identity, streaming origin, key delivery,
                  playback token service, player (--demo adds a demo; serve -h lists
                  every setting with its default)
  keys rewrap     re-seal every stored secret under the current key-encryption key
  keys export     a locator's content keys as a CPIX document (--cpix), clear or encrypted
  keyexchange     key-exchange credentials: apikey create|list|delete, signer put|list|delete
  sp              service principals: create, list, delete, secret add|remove
  role            role assignments: assign, list, remove
  user            playback token service users: create, list, get, delete, secret, group, claim
  license-server  an account's DRM license servers (Widevine service, vendors): put, list, delete
  key-provider    an account's CPIX/SPEKE v2 key providers (vendor keys for locators): put, list, delete
  events          Event Grid event subscriptions: subscribe, list, delete, replay
  job             encoding jobs: list (with progress bars), show, cancel
  config keys     the configuration file's JSON keys with their env variables, flags and defaults
  version         print the version
  help            this text

Run "lockstream <command> -h" for a command's flags.
`

func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, helpText)
		fmt.Fprintln(stderr, "\nlockstream: usage: a command is required")
		return 2
	}
	if u := subcommandUsage(args[0]); u != "" && len(args) == 2 && isHelp(args[1]) {
		// "lockstream sp -h": the command's own usage, not the
		// configuration flags every command also takes (serve -h lists
		// those).
		fmt.Fprintln(stdout, u)
		return 0
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, helpText)
		return 0
	case "version", "--version":
		fmt.Fprintln(stdout, "lockstream", version)
		return 0
	case "serve":
		return serve(args[1:], getenv, stdout, stderr)
	case "sp", "role":
		return identityCmd(args[0], args[1:], getenv, stdout, stderr)
	case "user":
		return userCmd(args[1:], getenv, stdout, stderr)
	case "job":
		return jobCmd(args[1:], getenv, stdout, stderr)
	case "config":
		return configCmd(args[1:], stdout, stderr)
	case "license-server":
		return licenseServerCommand.run(args[1:], getenv, os.Stdin, stdout, stderr)
	case "key-provider":
		return keyProviderCommand.run(args[1:], getenv, os.Stdin, stdout, stderr)
	case "keyexchange":
		return keyExchangeCmd(args[1:], getenv, stdout, stderr)
	case "events":
		return eventsCmd(args[1:], getenv, stdout, stderr)
	case "keys":
		if len(args) > 1 && args[1] == "rewrap" {
			return rewrap(args[2:], getenv, stdout, stderr)
		}
		if len(args) > 1 && args[1] == "export" {
			return exportCmd(args[2:], getenv, stdout, stderr)
		}
		fmt.Fprintln(stderr, "usage: lockstream keys rewrap|export [flags]")
		return 2
	}
	fmt.Fprint(stderr, helpText)
	fmt.Fprintf(stderr, "\nlockstream: unknown command %q\n", args[0])
	return 2
}

// configCmd prints documentation generated from the configuration struct.
func configCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && args[0] == "keys" {
		fmt.Fprint(stdout, conf.KeysMarkdown())
		return 0
	}
	fmt.Fprintln(stderr, "usage: lockstream config keys")
	return 2
}

// load reads the configuration. On failure it reports the exit code: 0
// for -h (the usage was printed), 2 for a bad command line or setting, the
// error printed last.
func load(name string, args []string, getenv func(string) string, stderr io.Writer) (conf.Conf, int, bool) {
	c, err := conf.Load(name, args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return c, 0, false
	}
	if err != nil {
		fmt.Fprintln(stderr, "lockstream:", err)
		return c, 2, false
	}
	return c, 0, true
}

func serve(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	c, code, ok := load("lockstream serve", args, getenv, stderr)
	if !ok {
		return code
	}
	log := logger.New(stderr, c.Log.Level, c.Log.Format)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if c.Debug.PprofListen != "" {
		_, stopPprof, err := startPprof(c.Debug.PprofListen, log)
		if err != nil {
			log.Error("start failed", "err", err)
			return 1
		}
		defer stopPprof(context.Background())
	}
	node := &core.Core{Conf: c, Log: log}
	if err := node.Initialize(ctx); err != nil {
		log.Error("start failed", "err", err)
		return 1
	}
	node.PrintBanner(stdout)
	<-ctx.Done()
	stop() // a second signal ends the process at once
	// Readiness fails first so that load balancers stop sending work;
	// then the listeners close, in-flight requests finish and leases go.
	node.Drain(context.Background())
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), c.ShutdownTimeout.Std())
	defer cancel()
	if err := node.Close(sctx); err != nil {
		log.Error("shutdown", "err", err)
		return 1
	}
	return 0
}

func rewrap(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	c, code, ok := load("lockstream keys rewrap", args, getenv, stderr)
	if !ok {
		return code
	}
	n, err := core.Rewrap(context.Background(), c)
	if err != nil {
		fmt.Fprintln(stderr, "lockstream: rewrap:", err)
		return 1
	}
	fmt.Fprintf(stdout, "re-sealed %d secrets under the current key-encryption key\n", n)
	return 0
}

func isHelp(a string) bool { return a == "-h" || a == "-help" || a == "--help" || a == "help" }

// subcommandUsage is a command's own usage, for "lockstream <command> -h".
func subcommandUsage(cmd string) string {
	switch cmd {
	case "sp", "role":
		return spUsage
	case "user":
		return userUsage
	case "job":
		return jobUsage
	case "events":
		return eventsUsage
	case "keyexchange":
		return kxUsage
	case "license-server":
		return licenseServerCommand.usage()
	case "key-provider":
		return keyProviderCommand.usage()
	}
	return ""
}
