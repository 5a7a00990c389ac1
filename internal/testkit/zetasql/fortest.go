package zetasql

import (
	"context"
	"fmt"
	"testing"
)

// ForTest starts the server (see Locate) until the test ends, or skips the
// test with one line saying what is missing and how to get it.
func ForTest(t testing.TB) *Server {
	t.Helper()
	dir, err := Locate()
	if err != nil {
		t.Skip(skipLine(err))
	}
	s, err := Start(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Main runs the tests of a package of ZetaSQL checks; call it from
// TestMain. Without the server it runs none and prints two lines:
// why, and the line by which go test marks the package "[no tests to run]"
// on its ok line — the one place go test ./... shows anything of a package
// that passes (docs/decisions.md, "The ZetaSQL checks fetch their server").
// A run that never reaches m.Run writes no test log, so go test does not
// cache the skip: the next run looks for the server again.
func Main(m *testing.M) int {
	if _, err := Locate(); err != nil {
		fmt.Println(skipLine(err))
		fmt.Println("testing: warning: no tests to run")
		return 0
	}
	return m.Run()
}

func skipLine(err error) string {
	return "SKIP the BigQuery SQL checks (ZetaSQL): " + err.Error()
}
