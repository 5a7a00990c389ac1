package zetasql

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// The fetch's own tests put a stand-in npm on PATH: the real install is a
// 350 MB download that runs once per machine (it ran for this package's
// other tests), and its failure needs a machine without a network.

func TestOptoutZetasqlWins(t *testing.T) {
	t.Setenv("OPTOUT_ZETASQL", "/somewhere/lib/zetasql")
	t.Setenv("HOME", t.TempDir()) // an empty cache: would be fetched
	t.Setenv("PATH", t.TempDir()) // without npm: would fail
	dir, err := Locate()
	if err != nil || dir != "/somewhere/lib/zetasql" {
		t.Fatalf("Locate() = %q, %v; want OPTOUT_ZETASQL", dir, err)
	}
}

func TestFetchWithoutNpm(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	root, dir := cachePaths(t.TempDir())
	err := fetch(root, dir)
	if err == nil {
		t.Fatal("fetch without npm succeeded")
	}
	for _, want := range []string{"npm is not on PATH", "install Node.js", Package, root, "OPTOUT_ZETASQL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error is not one line: %q", err)
	}
}

// TestFetchFailure: npm's reason is in the one-line error, and nothing is
// left in the cache (a later run fetches again).
func TestFetchFailure(t *testing.T) {
	fakeNpm(t, `echo 'npm error code E404' >&2
echo 'npm error 404 Not Found - GET https://registry.npmjs.org/@fivetrandevelopers%2fzetasql' >&2
echo 'npm error A complete log of this run can be found in: /root/.npm/_logs/x.log' >&2
exit 1`)
	home := t.TempDir()
	root, dir := cachePaths(home)
	err := fetch(root, dir)
	if err == nil {
		t.Fatal("a failed npm install succeeded")
	}
	msg := err.Error()
	if !strings.Contains(msg, "404 Not Found - GET https://registry.npmjs.org") || strings.Contains(msg, "complete log") ||
		strings.Contains(msg, "code E404") || strings.Contains(msg, "\n") {
		t.Errorf("error %q: want npm's reason on one line, without its code and log lines", msg)
	}
	left, _ := filepath.Glob(filepath.Join(home, ".cache", "optout", "*zetasql*"))
	if len(left) != 1 || filepath.Base(left[0]) != "zetasql.lock" {
		t.Errorf("the failed fetch left %v; want only the lock file", left)
	}
}

// TestConcurrentFetch: test binaries of several packages fetching at once
// run npm once and all find the server.
func TestConcurrentFetch(t *testing.T) {
	calls := filepath.Join(t.TempDir(), "calls")
	fakeNpm(t, `echo "$*" >> '`+calls+`'
sleep 0.3
mkdir -p "$3/node_modules/@fivetrandevelopers/zetasql/lib/zetasql"
touch "$3/node_modules/@fivetrandevelopers/zetasql/lib/zetasql/remote_server.so"`)
	root, dir := cachePaths(t.TempDir())
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { errs[i] = fetch(root, dir) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "remote_server.so")); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(calls)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\n"); n != 1 {
		t.Errorf("npm ran %d times:\n%s", n, b)
	}
	if !strings.Contains(string(b), "install --prefix ") || !strings.HasSuffix(strings.TrimSpace(string(b)), Package) {
		t.Errorf("npm ran as %q", b)
	}
}

// fakeNpm puts an npm running script (sh; "$3" is the --prefix folder)
// first on PATH.
func fakeNpm(t *testing.T, script string) {
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "npm"), []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
}
