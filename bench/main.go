// Command bench times `optout run` against the hand-written reference query
// (bench/reference.sql) on the same generated data, in one invocation:
//
//	go run ./bench --customers 1000000 --requests 100000 --export-rows 500000
//
// It generates the data set (unless --dir already holds one), builds
// optout, runs the reference and then optout as child processes, and
// prints both wall times, the ratio, each one's peak RSS and optout's
// slowest steps. See docs/performance.md.
package main

import (
	"bytes"
	"context"
	"database/sql"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/optout-dev/optout/internal/gen"
)

//go:embed reference.sql
var reference string

// referenceRunner, when set, is the program run as `<it> reference DIR`
// instead of this executable (the smoke test sets it).
var referenceRunner string

func main() {
	if len(os.Args) == 3 && os.Args[1] == "reference" {
		if err := runReference(os.Args[2]); err != nil {
			fmt.Fprintln(os.Stderr, "reference:", err)
			os.Exit(1)
		}
		return
	}
	dir := flag.String("dir", "", "the data set's folder (default: a folder under out/bench named after the sizes)")
	var s gen.Sizes
	flag.Int64Var(&s.Customers, "customers", 100000, "customers")
	flag.Int64Var(&s.Requests, "requests", 10000, "requests")
	flag.Int64Var(&s.ExportRows, "export-rows", 50000, "rows of each export")
	flag.Int64Var(&s.Seed, "seed", 1, "seed")
	memory := flag.String("memory-limit", "", "duckdb.memory_limit for optout (e.g. 16GB)")
	flag.Parse()
	if *dir == "" {
		*dir = filepath.Join("out", "bench", fmt.Sprintf("c%d-r%d-e%d", s.Customers, s.Requests, s.ExportRows))
	}
	if err := run(*dir, s, *memory); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(dir string, s gen.Sizes, memory string) error {
	ctx := context.Background()
	if _, err := os.Stat(filepath.Join(dir, "optout.yaml")); err != nil {
		t := time.Now()
		if err := gen.Write(ctx, dir, s); err != nil {
			return err
		}
		fmt.Printf("generated %s in %s\n", dir, time.Since(t).Round(time.Millisecond))
	}
	// The generated optout.yaml stays as generated: a --memory-limit of one
	// invocation goes into a config of its own, not into the next one's.
	config := filepath.Join(dir, "optout.yaml")
	if memory != "" {
		b, err := os.ReadFile(config)
		if err != nil {
			return err
		}
		b = []byte(strings.Replace(string(b), "engine: duckdb\n", "engine: duckdb\nduckdb: {memory_limit: "+memory+", temp_directory: spill}\n", 1))
		config = filepath.Join(dir, "optout.memory-limit.yaml")
		if err := os.WriteFile(config, b, 0o644); err != nil {
			return err
		}
	}
	bin := filepath.Join(os.TempDir(), "optout-bench")
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return err
	}
	pkg := filepath.Join(filepath.Dir(strings.TrimSpace(string(gomod))), "cmd", "optout")
	if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
		return fmt.Errorf("build optout: %v\n%s", err, out)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if referenceRunner != "" {
		self = referenceRunner
	}
	_ = os.RemoveAll(filepath.Join(dir, "out"))
	_ = os.RemoveAll(filepath.Join(dir, "reference_out"))

	refWall, refRSS, _, err := child(self, "reference", dir)
	if err != nil {
		return err
	}
	// Printed now too: at 100M, optout runs for a long time after it.
	fmt.Printf("reference query: %s, peak RSS %s\n", refWall.Round(10*time.Millisecond), mib(refRSS))
	optWall, optRSS, stdout, err := child(bin, "run", "--config", config, "--date", "2026-11-21", "--now", "2026-11-22T09:00:00Z")
	if err != nil {
		return err
	}
	fmt.Printf("\n| | wall | peak RSS |\n|---|---|---|\n")
	fmt.Printf("| reference query | %s | %s |\n", refWall.Round(10*time.Millisecond), mib(refRSS))
	fmt.Printf("| optout run | %s | %s |\n", optWall.Round(10*time.Millisecond), mib(optRSS))
	fmt.Printf("| ratio | %.2f× | %.2f× |\n", optWall.Seconds()/refWall.Seconds(), float64(optRSS)/float64(refRSS))

	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	var sum struct {
		Steps []struct {
			Step string `json:"step"`
			MS   int64  `json:"ms"`
		} `json:"steps"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil {
		return fmt.Errorf("optout summary: %w", err)
	}
	sort.Slice(sum.Steps, func(i, j int) bool { return sum.Steps[i].MS > sum.Steps[j].MS })
	fmt.Printf("\noptout's slowest steps:\n")
	for i, st := range sum.Steps {
		if i == 12 {
			break
		}
		fmt.Printf("  %-45s %8d ms\n", st.Step, st.MS)
	}
	return nil
}

// child runs a command and returns its wall time, peak RSS (bytes) and stdout.
func child(name string, args ...string) (time.Duration, int64, string, error) {
	cmd := exec.Command(name, args...)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	t := time.Now()
	err := cmd.Run()
	wall := time.Since(t)
	if err != nil {
		return 0, 0, "", fmt.Errorf("%s %v: %v\n%s", filepath.Base(name), args[0], err, se.String())
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var rss int64
	if ru != nil {
		rss = ru.Maxrss * 1024 // kilobytes on Linux
	}
	return wall, rss, so.String(), nil
}

func mib(b int64) string { return fmt.Sprintf("%d MiB", b/(1<<20)) }

func runReference(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(abs, "reference_out"), 0o755); err != nil {
		return err
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.ExecContext(context.Background(), strings.ReplaceAll(reference, "DIR", strings.ReplaceAll(abs, "'", "''")))
	return err
}
