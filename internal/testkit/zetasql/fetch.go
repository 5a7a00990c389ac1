package zetasql

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Package is the npm package, pinned, that ships the ZetaSQL local server.
const Package = "@fivetrandevelopers/zetasql@1.13.0"

// fetchTimeout bounds the first-use npm install (the package is ~350 MB):
// a fetch in a TestMain runs before go test's -timeout starts counting.
const fetchTimeout = 5 * time.Minute

// Locate returns the server's folder (the package's lib/zetasql, which
// holds remote_server.so and protos/): OPTOUT_ZETASQL when set, else the
// pinned package in ~/.cache/optout/zetasql, fetched with npm on first use.
// The error says, on one line, what is missing and how to get it.
func Locate() (string, error) {
	if dir := os.Getenv("OPTOUT_ZETASQL"); dir != "" {
		return dir, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no home folder for the cache (%v): set HOME, or OPTOUT_ZETASQL to the lib/zetasql folder of %s", err, Package)
	}
	root, dir := cachePaths(home)
	if _, err := os.Stat(filepath.Join(dir, "remote_server.so")); err == nil {
		return dir, nil
	}
	// Once per test binary: a failed fetch is not retried by every test.
	fetchOnce.Do(func() { fetchErr = fetch(root, dir) })
	if fetchErr != nil {
		return "", fetchErr
	}
	return dir, nil
}

// cachePaths are the cache's root (npm's --prefix, as .ci/run used) and
// the server's folder in it.
func cachePaths(home string) (root, dir string) {
	root = filepath.Join(home, ".cache", "optout", "zetasql")
	return root, filepath.Join(root, "node_modules", "@fivetrandevelopers", "zetasql", "lib", "zetasql")
}

var (
	fetchOnce sync.Once
	fetchErr  error
)

// fetch installs the package into root. The test binaries of several
// packages may get here at once: a lock file lets one download while the
// others wait, and the install goes to a temporary folder renamed into
// place, so root is never seen (or left by a killed test) half-installed.
func fetch(root, dir string) error {
	npm, err := exec.LookPath("npm")
	if err != nil {
		return fmt.Errorf("npm is not on PATH: install Node.js with npm (the tests then fetch %s into %s on first use), or set OPTOUT_ZETASQL to the package's lib/zetasql folder", Package, root)
	}
	parent := filepath.Dir(root)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("make the ZetaSQL cache folder: %v", err)
	}
	lock, err := os.OpenFile(root+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return fmt.Errorf("lock the ZetaSQL cache: %v", err)
	}
	defer lock.Close() // releases the lock
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("lock the ZetaSQL cache: %v", err)
	}
	server := filepath.Join(dir, "remote_server.so")
	if _, err := os.Stat(server); err == nil {
		return nil // fetched by the package that held the lock
	}
	tmp, err := os.MkdirTemp(parent, ".zetasql-fetch-")
	if err != nil {
		return fmt.Errorf("make the ZetaSQL cache folder: %v", err)
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o755); err != nil { // MkdirTemp's 0700 would stay on the cache
		return fmt.Errorf("make the ZetaSQL cache folder: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
	defer cancel()
	// --loglevel=error rather than --silent: npm's reason goes into the skip
	// line. No retries: offline, npm's default two took 73 s to give up, in
	// every package, on every run (a skip is not cached); the next run tries
	// again.
	out, err := exec.CommandContext(ctx, npm, "install", "--prefix", tmp, "--no-audit", "--no-fund", "--loglevel=error", "--fetch-retries=0", Package).CombinedOutput()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("no answer in %v", fetchTimeout)
	}
	if err != nil {
		return fmt.Errorf("npm install %s failed (%v%s): it needs the network once; or run `npm install --prefix %s %s`, or set OPTOUT_ZETASQL to the package's lib/zetasql folder", Package, err, npmReason(out), root, Package)
	}
	if err := os.Rename(tmp, root); err != nil {
		if _, serr := os.Stat(server); serr == nil {
			return nil // installed meanwhile by a process that took no lock (an older .ci/run)
		}
		return fmt.Errorf("%s has no lib/zetasql/remote_server.so (an interrupted install?) and cannot be replaced (%v): remove it", root, err)
	}
	return nil
}

// npmReason is npm's error output on one line, without its code, syscall
// and errno lines (the message repeats them) and its pointer to a log file.
func npmReason(out []byte) string {
	var parts []string
	for _, l := range strings.Split(string(out), "\n") {
		l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "npm error"))
		f := strings.Fields(l)
		switch {
		case l == "", strings.Contains(l, "complete log of this run"):
		case len(f) == 2 && (f[0] == "code" || f[0] == "syscall" || f[0] == "errno"):
		default:
			parts = append(parts, l)
		}
	}
	s := strings.Join(parts, "; ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	if s == "" {
		return ""
	}
	return ": " + s
}
