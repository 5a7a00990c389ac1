package zetasql

import (
	"context"
	"os"
	"testing"
)

// ForTest starts the server named by OPTOUT_ZETASQL (the npm package's
// lib/zetasql folder; .ci/run installs it and sets the variable) until the
// test ends, or skips the test when it is unset.
func ForTest(t testing.TB) *Server {
	t.Helper()
	dir := os.Getenv("OPTOUT_ZETASQL")
	if dir == "" {
		t.Skip("OPTOUT_ZETASQL is not set: npm install @fivetrandevelopers/zetasql@1.13.0 and point it at node_modules/@fivetrandevelopers/zetasql/lib/zetasql")
	}
	s, err := Start(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}
