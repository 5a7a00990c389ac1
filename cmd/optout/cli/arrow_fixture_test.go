package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// arrowRequestsFixture is a config whose one request source is the file
// inputs/requests.arrow, written with content; it returns the config and
// that file's path.
func arrowRequestsFixture(t *testing.T, content string) (cfg, file string) {
	t.Helper()
	cfg = fixture(t, `
engine: duckdb
timezone: UTC
output: out
inputs:
  requests:
    - {name: web, path: inputs/requests.arrow}
  customers: {path: inputs/customers.parquet}
`, map[string]string{"customers": `SELECT 'c1' AS customer_id, 'a@example.com' AS email, NULL::VARCHAR AS phone`})
	file = filepath.Join(filepath.Dir(cfg), "inputs", "requests.arrow")
	if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg, file
}

// arrowFolderFixture writes a config whose request source web is the folder
// inputs/requests (the test writes its files) and whose customers are the
// rows of the SELECT customers.
func arrowFolderFixture(t *testing.T, customers string) (cfg string) {
	t.Helper()
	return fixture(t, `
engine: duckdb
timezone: UTC
output: out
inputs:
  requests:
    - {name: web, path: inputs/requests}
  customers: {path: inputs/customers.parquet}
`, map[string]string{"customers": customers})
}
