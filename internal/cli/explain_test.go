package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/optout-dev/optout/internal/casefolder"
	"github.com/optout-dev/optout/internal/config"
	bqengine "github.com/optout-dev/optout/internal/engine/bigquery"
	"github.com/optout-dev/optout/jobs"
	"github.com/optout-dev/optout/transforms"
)

func TestExplainOnePerson(t *testing.T) {
	cfg, _ := demoConfig(t, nil)
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	data, _ := filepath.Abs("../../testdata/demo/data")
	var email string
	if err := db.QueryRow(fmt.Sprintf("SELECT email FROM read_parquet('%s/customers/*.parquet') WHERE customer_id = 'C00042'", data)).Scan(&email); err != nil {
		t.Fatal(err)
	}
	code, so, se := run(t, "explain", "--config", cfg, "--date", "2026-11-21", "--email", "  "+strings.ToUpper(email)+" ", "--json")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, se)
	}
	var ex struct {
		Keys      []map[string]any `json:"keys"`
		Customers []map[string]any `json:"matched_customers"`
		Requests  []map[string]any `json:"counted_requests"`
		State     []map[string]any `json:"state_by_category"`
		Exports   []map[string]any `json:"export_rows"`
	}
	if err := json.Unmarshal([]byte(so), &ex); err != nil {
		t.Fatalf("%v\n%s", err, so)
	}
	norm := strings.ToLower(strings.TrimSpace(email))
	if len(ex.Keys) != 1 || ex.Keys[0]["value"] != norm {
		t.Errorf("keys %v, want the normalized email", ex.Keys)
	}
	if len(ex.Customers) != 1 || ex.Customers[0]["customer_id"] != "C00042" {
		t.Errorf("customers %v", ex.Customers)
	}
	found := false
	for _, r := range ex.Requests {
		found = found || r["request_id"] == "WF-NOV21-A"
	}
	if !found {
		t.Errorf("requests %v lack WF-NOV21-A", ex.Requests)
	}
	if len(ex.State) != 1 || ex.State[0]["category"] != "advertising" || ex.State[0]["state"] != "opt_out" || ex.State[0]["deciding_request_id"] != "WF-NOV21-A" {
		t.Errorf("state %v", ex.State)
	}
	decisions := map[string]string{}
	for _, e := range ex.Exports {
		decisions[fmt.Sprint(e["export"])] = fmt.Sprint(e["decision"])
	}
	want := map[string]string{"google_ads_audience": "suppressed: customer_opted_out", "meta_audience": "suppressed: customer_opted_out", "partner_list_rental": "kept: no key of the row is opted out of marketing_partners or channel:email"}
	if fmt.Sprint(decisions) != fmt.Sprint(want) {
		t.Errorf("export decisions %v, want %v", decisions, want)
	}
	// Nobody else's email or phone is shown.
	for _, m := range regexp.MustCompile(`[^"\s]+@[^"\s]+`).FindAllString(so, -1) {
		if m != norm {
			t.Errorf("explain shows another email (%d characters)", len(m))
		}
	}
	if regexp.MustCompile(`\+1\d{10}`).MatchString(so) {
		t.Error("explain shows a phone number")
	}

	code, _, se = run(t, "explain", "--config", cfg, "--date", "2026-11-21", "--email", "a@b.com", "--phone", "1")
	if code != 2 || !strings.Contains(se, "exactly one of --email, --phone, --customer-id") {
		t.Errorf("two identifiers: exit %d\n%s", code, se)
	}
}

func TestPlanPrintsEveryStep(t *testing.T) {
	cfg, out := demoConfig(t, nil)
	code, so, se := run(t, "plan", "--config", cfg, "--date", "2026-11-21")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, se)
	}
	for _, want := range []string{"-- step 1: macros (setup)", "customers_flagged (output -> customers_flagged)", "leak_check__meta_audience (check)", "metrics_annual_disclosure"} {
		if !strings.Contains(so, want) {
			t.Errorf("plan lacks %q", want)
		}
	}
	if strings.Contains(so, "2026-01-02,2026-01-05") {
		t.Error("plan prints the calendar parameter in full")
	}
	assertNoOutput(t, out)
}

// On BigQuery the plan shows each step's dry-run bytes, the copies of the
// inputs before the steps, and the total with its on-demand price.
func TestPlanPrintsEstimates(t *testing.T) {
	steps := []transforms.Step{{Name: "macros", Kind: transforms.Setup, SQL: "CREATE TEMP FUNCTION f() AS (1)"},
		{Name: "customer_keys", Kind: transforms.Temp, Table: "customer_keys", SQL: "SELECT 1"}}
	est := []bqengine.Estimate{{Step: "register_customers", Bytes: 1 << 40}, {Step: "customer_keys", Bytes: 1 << 39}}
	var b strings.Builder
	printPlan(&b, steps, est)
	got := b.String()
	for _, want := range []string{
		"-- register_customers: 1099511627776 bytes (copies an input",
		"-- step 2: customer_keys (temp table -> customer_keys)\n-- dry run: 549755813888 bytes\nSELECT 1;",
		"-- total: 1649267441664 bytes in 2 queries, about $9.38 on demand",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("plan lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "-- step 1: macros (setup)\n-- dry run") {
		t.Error("a step without a dry run shows one")
	}
}

// On DuckDB the plan reads and checks the inputs, as a run would: an input
// over its quarantine ratio is exit 3 (the steps are still printed).
func TestPlanChecksInputsOnDuckDB(t *testing.T) {
	cfg, out := demoConfig(t, func(s string) string {
		return strings.Replace(s, "policy:\n", "policy:\n  max_quarantine_ratio: 0\n", 1)
	})
	code, so, se := run(t, "plan", "--config", cfg, "--date", "2026-11-21")
	if code != 3 || !strings.Contains(se, "max_quarantine_ratio") || !strings.Contains(so, "-- step 1") {
		t.Errorf("exit %d\nstderr: %s\nstdout starts: %.200s", code, se, so)
	}
	assertNoOutput(t, out)
}

// customer_keys is K(c) as a set (SPEC §5): a customer's own keys, and the
// keys its links add, each once, even when links repeat each other or the
// customer's own identifiers (case 20's last two links).
func TestCustomerKeysAreASet(t *testing.T) {
	work := t.TempDir()
	if err := casefolder.Prepare("../../testdata/cases/20_identity_links", work); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(filepath.Join(work, "optout.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	in, err := jobs.Inspect(ctx, jobs.RunOptions{Config: cfg, Date: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Engine.Close()
	_, rows, err := in.Engine.Run(ctx, transforms.Step{Name: "keys", Kind: transforms.Check,
		SQL: "SELECT kind || ':' || value AS k, count(*) AS n FROM " + transforms.Ident(transforms.TempName("customer_keys")) +
			" WHERE customer_id = 'C2' GROUP BY ALL ORDER BY 1"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, fmt.Sprintf("%v×%v", r["k"], r["n"]))
	}
	want := "cookie_id:ck-b2×1 customer_id:C2×1 email:bob.work@example.com×1 email:bob@example.com×1 phone:+12125550102×1"
	if strings.Join(got, " ") != want {
		t.Errorf("C2's keys:\n got %s\nwant %s", strings.Join(got, " "), want)
	}
}
