//go:build bqemulator

package bigquery

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"cloud.google.com/go/bigquery"
	"google.golang.org/api/option"

	"github.com/optout-dev/optout/internal/bqemu"
	"github.com/optout-dev/optout/internal/config"
	"github.com/optout-dev/optout/internal/normtest"
	"github.com/optout-dev/optout/transforms"
)

// These tests run the real client against github.com/goccy/bigquery-emulator
// v0.6.6, started as a process on 127.0.0.1 by internal/bqemu (.ci/run
// builds it with clang and runs them with -tags bqemulator).

func emulator(t *testing.T) *Client {
	t.Helper()
	c, err := New(context.Background(), config.BigQuery{Project: bqemu.Project, Dataset: bqemu.Dataset, Location: "US", Endpoint: bqemu.Start(t)},
		"20261121T000000-test", "2026-11-21", option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.Backoff = nil // the emulator reports its own failures as internal errors: no retries
	return c
}

// TestEmulatorPerDateReplace: a partitioned table created through the API
// (twice: the second is a no-op), a date replaced in one transaction
// (DELETE of the partition, INSERT of its rows), the replace run again
// (idempotent), another date beside it, and 25,000 rows read back page by
// page.
func TestEmulatorPerDateReplace(t *testing.T) {
	c := emulator(t)
	ctx := context.Background()
	schema := bigquery.Schema{{Name: "customer_id", Type: bigquery.StringFieldType}, {Name: "ccpa_opt_out", Type: bigquery.BooleanFieldType}}
	for i := 0; i < 2; i++ {
		if err := c.EnsureDateTable(ctx, "optout_state", schema, []string{"customer_id"}); err != nil {
			t.Fatal(err)
		}
	}
	replace := func(dt string, n int) {
		t.Helper()
		sql := fmt.Sprintf(`BEGIN TRANSACTION;
DELETE FROM optout.optout_state WHERE dt = DATE '%[1]s';
INSERT INTO optout.optout_state (dt, customer_id, ccpa_opt_out)
SELECT DATE '%[1]s', CONCAT('c', CAST(n AS STRING)), MOD(n, 3) = 0 FROM UNNEST(GENERATE_ARRAY(1, %[2]d)) AS n;
COMMIT TRANSACTION;`, dt, n)
		res, err := c.Exec(ctx, "optout_state", sql)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(res.JobID, "optout_optout_state_") {
			t.Errorf("job ID %q lacks the optout_<step>_ prefix", res.JobID)
		}
	}
	replace("2026-11-21", 25000)
	replace("2026-11-21", 25000) // a rerun of the date replaces, never appends
	replace("2026-11-20", 10)
	res, err := c.Query(ctx, "read", "SELECT dt, customer_id, ccpa_opt_out FROM optout.optout_state WHERE dt = DATE '2026-11-21'")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 25000 {
		t.Fatalf("read %d rows of 2026-11-21, want 25000", len(res.Rows))
	}
	seen := map[string]bool{}
	for _, r := range res.Rows {
		seen[r["customer_id"].(string)] = true
	}
	if len(seen) != 25000 {
		t.Errorf("%d distinct customers, want 25000", len(seen))
	}
	counts, err := c.Query(ctx, "count", "SELECT dt, COUNT(*) AS n FROM optout.optout_state GROUP BY dt ORDER BY dt")
	if err != nil {
		t.Fatal(err)
	}
	if len(counts.Rows) != 2 || counts.Rows[0]["n"] != int64(10) || counts.Rows[1]["n"] != int64(25000) {
		t.Errorf("rows per date: %v, want 10 on 2026-11-20 and 25000 on 2026-11-21", counts.Rows)
	}
}

// TestEmulatorNormalization: the BigQuery normalization functions, sent
// before the statement as the engine sends them, give the Go reference's
// keys on the emulator (ASCII inputs: the emulator runs GoogleSQL on
// SQLite; internal/zetasql holds the functions to the reference on every
// input under Google's own evaluator).
func TestEmulatorNormalization(t *testing.T) {
	c := emulator(t)
	macros, err := transforms.MacrosStep(transforms.BigQuery)
	if err != nil {
		t.Fatal(err)
	}
	var inputs []string
	for _, raw := range normtest.Nasty() {
		if !strings.ContainsFunc(raw, func(r rune) bool { return r > 0x7e || r < 0x20 }) {
			inputs = append(inputs, raw)
		}
	}
	if len(inputs) < 40 {
		t.Fatalf("only %d ASCII inputs", len(inputs))
	}
	// One query for every input: the inputs are literals, since the
	// emulator mistypes a positional STRING parameter after the functions.
	var rows []string
	for i, raw := range inputs {
		rows = append(rows, fmt.Sprintf("STRUCT(%d AS i, %s AS x)", i, transforms.BigQuery.Literal(raw)))
	}
	q := macros.SQL + "\nSELECT i, optout_email(x) AS email, optout_phone(x) AS phone, optout_hash(x) AS hashed, optout_id(x) AS id FROM UNNEST([" +
		strings.Join(rows, ", ") + "]) ORDER BY i"
	res, err := c.Query(context.Background(), "normalize", q)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != len(inputs) {
		t.Fatalf("%d rows for %d inputs", len(res.Rows), len(inputs))
	}
	str := func(v bigquery.Value) string {
		if v == nil {
			return ""
		}
		return v.(string)
	}
	for _, r := range res.Rows {
		raw := inputs[r["i"].(int64)]
		want := normtest.Reference(raw)
		got := normtest.Keys{Email: str(r["email"]), Phone: str(r["phone"]), Hash: str(r["hashed"]), ID: str(r["id"])}
		want.EmailSHA, want.EmailFoldedSHA, want.PhoneSHA = "", "", ""
		if got != want {
			t.Errorf("%q: emulator %+v, Go %+v", raw, got, want)
		}
	}
}

// TestEmulatorDefects records where the emulator, not the SQL, is wrong,
// so that the forms the product avoids for its sake are known; ZetaSQL's
// analyzer and reference evaluator cover the SQL (internal/zetasql,
// internal/parity). When a defect is fixed this test fails.
func TestEmulatorDefects(t *testing.T) {
	c := emulator(t)
	ctx := context.Background()
	// A templated (ANY TYPE) function calling another temporary function
	// cannot be formatted; BigQuery runs it. sql/macros.bigquery.sql keeps
	// to typed functions over one templated leaf because of it.
	_, err := c.Query(ctx, "defect", "CREATE TEMP FUNCTION f(x ANY TYPE) AS (LOWER(x)); CREATE TEMP FUNCTION g(x ANY TYPE) AS (f(x)); SELECT g('A') AS v")
	if err == nil || !strings.Contains(err.Error(), "failed to find path node") {
		t.Errorf("nested templated functions: got %v, want the emulator's 'failed to find path node' defect", err)
	}
	// The same nesting with typed arguments works: the defect is the
	// templated form's, not the nesting's.
	res, err := c.Query(ctx, "typed", "CREATE TEMP FUNCTION f(x STRING) AS (LOWER(x)); CREATE TEMP FUNCTION g(x STRING) AS (f(x)); SELECT g('A') AS v")
	if err != nil || len(res.Rows) != 1 || res.Rows[0]["v"] != "a" {
		t.Errorf("typed nested functions: %v %v", res.Rows, err)
	}
}
