// Command lockstream runs the Lockstream content-protection platform.
//
//	lockstream serve [flags]        run the server (all roles by default)
//	lockstream keys rewrap [flags]  re-seal every stored secret under the current KEK
//	lockstream sp …                 manage service principals (see "lockstream sp")
//	lockstream role …               manage role assignments
//	lockstream user …               manage playback token users (see "lockstream user")
//	lockstream job list|show|cancel encoding jobs (see "lockstream job")
//	lockstream version              print the version
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

func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: lockstream serve|keys rewrap|sp|role|user|job|version [flags]")
		return 2
	}
	switch args[0] {
	case "version":
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
	case "keys":
		if len(args) > 1 && args[1] == "rewrap" {
			return rewrap(args[2:], getenv, stdout, stderr)
		}
		fmt.Fprintln(stderr, "usage: lockstream keys rewrap [flags]")
		return 2
	}
	fmt.Fprintf(stderr, "lockstream: unknown command %q\n", args[0])
	return 2
}

func load(name string, args []string, getenv func(string) string, stderr io.Writer) (conf.Conf, bool) {
	c, err := conf.Load(name, args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return c, false
	}
	if err != nil {
		fmt.Fprintln(stderr, "lockstream:", err)
		return c, false
	}
	return c, true
}

func serve(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	c, ok := load("lockstream serve", args, getenv, stderr)
	if !ok {
		return 2
	}
	log := logger.New(stderr, c.Log.Level, c.Log.Format)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	node := &core.Core{Conf: c, Log: log}
	if err := node.Initialize(ctx); err != nil {
		log.Error("start failed", "err", err)
		return 1
	}
	node.PrintBanner(stdout)
	<-ctx.Done()
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
	c, ok := load("lockstream keys rewrap", args, getenv, stderr)
	if !ok {
		return 2
	}
	n, err := core.Rewrap(context.Background(), c)
	if err != nil {
		fmt.Fprintln(stderr, "lockstream: rewrap:", err)
		return 1
	}
	fmt.Fprintf(stdout, "re-sealed %d secrets under the current key-encryption key\n", n)
	return 0
}
