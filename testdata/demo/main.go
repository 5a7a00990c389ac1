//go:build ignore

// Regenerates the demo data: go run testdata/demo/main.go (from the repo root).
package main

import (
	"database/sql"
	"log"
	"os"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2"
)

func main() {
	if err := os.Chdir("testdata/demo"); err != nil {
		log.Fatal(err)
	}
	os.RemoveAll("data")
	for _, d := range []string{"data/customers", "data/requests", "data/exports"} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			log.Fatal(err)
		}
	}
	script, err := os.ReadFile("generate.sql")
	if err != nil {
		log.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	for _, stmt := range strings.Split(string(script), ";\n") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if _, err := db.Exec(stmt); err != nil {
			log.Fatalf("%v\n%s", err, stmt)
		}
	}
}
