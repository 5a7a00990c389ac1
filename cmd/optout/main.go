// Command optout enforces consumer opt-outs of sale and sharing across a
// data warehouse; see README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/optout-dev/optout/cmd/optout/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
