// Command warehouse loads the demo data into a DuckDB warehouse file for
// testdata/demo/optout.warehouse.yaml:
//
//	go run ./testdata/demo/warehouse            # writes out/warehouse/warehouse.duckdb
//	go run ./testdata/demo/warehouse FILE       # or FILE
//
// Run it from the repository root; it replaces the tables it creates.
package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	_ "github.com/duckdb/duckdb-go/v2"
)

func main() {
	file := "out/warehouse/warehouse.duckdb"
	if len(os.Args) > 1 {
		file = os.Args[1]
	}
	if err := load(file, "testdata/demo"); err != nil {
		fmt.Fprintln(os.Stderr, "warehouse:", err)
		os.Exit(1)
	}
	fmt.Println("demo warehouse written to", file)
}

// load creates the warehouse tables in file from the demo folder's data.
func load(file, demo string) error {
	abs, err := filepath.Abs(file)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return err
	}
	script, err := os.ReadFile(filepath.Join(demo, "warehouse", "warehouse.sql"))
	if err != nil {
		return err
	}
	db, err := sql.Open("duckdb", abs)
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		return err
	}
	defer conn.Close()
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	if err := os.Chdir(demo); err != nil {
		return err
	}
	_, err = conn.ExecContext(context.Background(), string(script))
	return err
}
