package cli

import (
	"context"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// The CLI scripts under testdata/script run `optout` as a newcomer would.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"optout": func() { os.Exit(Run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "../../../testdata/script", RequireExplicitExec: true})
}
