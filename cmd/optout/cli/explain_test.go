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

	"github.com/optout-dev/optout/internal/config"
	bqengine "github.com/optout-dev/optout/internal/engine/bigquery"
	"github.com/optout-dev/optout/internal/testkit/casefolder"
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
	data, _ := filepath.Abs("../../../testdata/demo/data")
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
	want := map[string]string{"google_ads_audience": "suppressed: customer_opted_out", "meta_audience": "suppressed: customer_opted_out", "partner_list_rental": "kept: neither the row's latest request covering marketing_partners nor its latest covering channel:email is an opt_out"}
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
	if code != 2 || !strings.Contains(se, "exactly one of --email, --phone, --customer-id, --request-id") {
		t.Errorf("two identifiers: exit %d\n%s", code, se)
	}
}

// explain agrees with the export decision, which is that of the row's
// whole R(x) (case 75): ann opted out on her own, but the row carrying her
// email and customer C1's phone is kept through C1's later opt_in. Each
// row shows its own state beside the decision, whatever ann's own state.
func TestExplainShowsTheRowsOwnState(t *testing.T) {
	work := t.TempDir()
	if err := casefolder.Prepare("../../../testdata/cases/75_export_row_union_later_opt_in_through_customer", work); err != nil {
		t.Fatal(err)
	}
	code, so, se := run(t, "explain", "--config", filepath.Join(work, "optout.yaml"), "--date", "2026-11-21",
		"--email", "ann@example.com", "--json")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, se)
	}
	var ex struct {
		State   []map[string]any `json:"state_by_category"`
		Exports []map[string]any `json:"export_rows"`
	}
	if err := json.Unmarshal([]byte(so), &ex); err != nil {
		t.Fatalf("%v\n%s", err, so)
	}
	for _, s := range ex.State {
		if s["category"] == "advertising" && (s["state"] != "opt_out" || s["deciding_request_id"] != "r1") {
			t.Errorf("ann's own advertising state %v, want opt_out by r1", s)
		}
	}
	var got []string
	for _, e := range ex.Exports {
		got = append(got, fmt.Sprintf("row %v: %v [%v]", e["row"], e["decision"], e["row_state"]))
	}
	want := []string{
		"row 0: kept: the row's latest request covering advertising is not an opt_out [advertising=opt_in by r2]",
		"row 1: suppressed: identifier_opted_out [advertising=opt_out by r1]",
		"row 3: suppressed: identifier_opted_out [advertising=opt_out by r1]",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("export rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
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

// The plan says which statements read each input and, on BigQuery, what
// each would bill, and the input's most in a run: a read of the copy,
// estimated 0 over the plan's empty copy, counts as the copy's bytes.
func TestPlanPrintsInputScans(t *testing.T) {
	scans := []jobs.InputScan{{Input: "customers", Reads: []bqengine.Estimate{
		{Step: "register_src_customers", Bytes: 1000, Copies: "src_customers"}, {Step: "customer_rows", Bytes: 0}, {Step: "customers_flagged", Bytes: 1200}}}}
	var b strings.Builder
	printInputScans(&b, scans, true)
	want := "--   customers: 3 statements, about 3200 bytes in a run: register_src_customers (the copy) 1000 bytes, customer_rows 0 bytes, customers_flagged 1200 bytes\n"
	if !strings.HasSuffix(b.String(), want) {
		t.Errorf("billed:\n%s\nwant it to end with:\n%s", b.String(), want)
	}
	b.Reset()
	printInputScans(&b, scans[:1], false)
	if want := "--   customers: 3 statements: register_src_customers (the copy), customer_rows, customers_flagged\n"; !strings.HasSuffix(b.String(), want) {
		t.Errorf("not billed:\n%s\nwant it to end with:\n%s", b.String(), want)
	}
}

// The demo plan on DuckDB lists each input's reading steps.
func TestPlanPrintsInputScansOnDuckDB(t *testing.T) {
	cfg, _ := demoConfig(t, nil)
	code, so, se := run(t, "plan", "--config", cfg, "--date", "2026-11-21")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, se)
	}
	for _, want := range []string{"--   customers: 3 statements: customer_rows, quarantine__customers, customers_flagged\n",
		"--   meta_audience: 3 statements: export_rows__meta_audience, quarantine__meta_audience, export__meta_audience\n"} {
		if !strings.Contains(so, want) {
			t.Errorf("plan lacks %q", want)
		}
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
	if err := casefolder.Prepare("../../../testdata/cases/20_identity_links", work); err != nil {
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

// explainJSON runs optout explain with args and --json, and decodes it.
func explainJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	code, so, se := run(t, append(append([]string{"explain"}, args...), "--json")...)
	if code != 0 {
		t.Fatalf("explain %v: exit %d\n%s", args, code, se)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(so), &m); err != nil {
		t.Fatalf("%v\n%s", err, so)
	}
	return m
}

// explainText runs optout explain with args and returns its stdout.
func explainText(t *testing.T, args ...string) string {
	t.Helper()
	code, so, se := run(t, append([]string{"explain"}, args...)...)
	if code != 0 {
		t.Fatalf("explain %v: exit %d\n%s", args, code, se)
	}
	return so
}

// queryString returns the first column of the first row of q.
func queryString(t *testing.T, db *sql.DB, q string, args ...any) string {
	t.Helper()
	var s sql.NullString
	if err := db.QueryRow(q, args...).Scan(&s); err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
	return s.String
}

func rowsOf(m map[string]any, key string) []map[string]any {
	var out []map[string]any
	list, _ := m[key].([]any)
	for _, r := range list {
		out = append(out, r.(map[string]any))
	}
	return out
}

// The demo run for 2026-11-20 and then for 2026-11-21, each the morning
// after, as a scheduler runs them: the second run first enforces requests
// the first could not read, and notifies the third parties of the first
// run's exports.
func twoDemoRuns(t *testing.T) (cfg, out string, db *sql.DB) {
	t.Helper()
	cfg, out = demoConfig(t, nil)
	for _, r := range [][]string{{"2026-11-20", "2026-11-21T09:00:00Z"}, {"2026-11-21", "2026-11-22T09:00:00Z"}} {
		if code, _, se := run(t, "run", "--config", cfg, "--date", r[0], "--now", r[1]); code != 0 {
			t.Fatalf("run %s: exit %d\n%s", r[0], code, se)
		}
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return cfg, out, db
}

// explain's first line is a verdict drawn from the rows it shows: for a
// customer opted out through one request, the categories and day of
// optout_state and the request that decided them, and the exports its
// rows were suppressed from or kept in; for an identifier nothing has,
// that nothing has it.
func TestExplainVerdict(t *testing.T) {
	cfg, out, db := twoDemoRuns(t)
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(out, "optout_state", "dt=2026-11-21", "part-0.parquet")
	ledger := filepath.Join(out, "requests_ledger", "part-0.parquet")
	// A customer opted out of two or more categories, all decided by one
	// request that also began the opt-out (its receipt is opt_out_date).
	var customer, request, categories string
	var optOutDate time.Time
	if err := db.QueryRow(fmt.Sprintf(`
		SELECT s.customer_id, any_value(d.request_id), array_to_string(s.opt_out_categories, ','), s.opt_out_date
		FROM read_parquet('%s') s, (SELECT unnest(s.deciding_request_ids) AS d) u(d)
		JOIN read_parquet('%s') l ON l.request_id = d.request_id
		WHERE s.ccpa_opt_out AND len(s.opt_out_categories) >= 2
		GROUP BY s.customer_id, s.opt_out_categories, s.opt_out_date
		HAVING count(DISTINCT d.request_id) = 1 AND bool_and(l.received_at = s.opt_out_date AND l.request_type = 'opt_out')
		ORDER BY s.customer_id LIMIT 1`, state, ledger)).Scan(&customer, &request, &categories, &optOutDate); err != nil {
		t.Fatal(err)
	}
	ex := explainJSON(t, "--config", cfg, "--date", "2026-11-21", "--customer-id", customer)
	cats := strings.Split(categories, ",")
	want := fmt.Sprintf("opted out of %s and %s since %s through request %s; ", strings.Join(cats[:len(cats)-1], ", "), cats[len(cats)-1],
		optOutDate.In(la).Format(time.DateOnly), request)
	verdict, _ := ex["verdict"].(string)
	if !strings.HasPrefix(verdict, want) {
		t.Errorf("customer %s: verdict %q, want it to start %q", customer, verdict, want)
	}
	suppressed, kept := map[string]bool{}, map[string]bool{}
	for _, r := range rowsOf(ex, "export_rows") {
		d := fmt.Sprint(r["decision"])
		if strings.HasPrefix(d, "suppressed:") {
			suppressed[fmt.Sprint(r["export"])] = true
		} else if strings.HasPrefix(d, "kept:") {
			kept[fmt.Sprint(r["export"])] = true
		}
	}
	if len(suppressed) == 0 || !strings.Contains(verdict, fmt.Sprintf("suppressed from %d export", len(suppressed))) ||
		(len(kept) > 0) != strings.Contains(verdict, fmt.Sprintf("kept in %d export", len(kept))) {
		t.Errorf("verdict %q; the export rows: suppressed from %v, kept in %v", verdict, suppressed, kept)
	}
	text := explainText(t, "--config", cfg, "--date", "2026-11-21", "--customer-id", customer)
	if first, _, _ := strings.Cut(text, "\n"); first != verdict {
		t.Errorf("the text output starts %q, not the verdict %q", first, verdict)
	}

	// An email no customer, request or export row holds (checked in every
	// input file), and one that is not an email at all.
	data, _ := filepath.Abs("../../../testdata/demo/data")
	mentions := func(s string) int64 { // rows of any input file whose text holds s
		return queryInt(t, db, fmt.Sprintf(`SELECT count(*) FROM read_parquet('%s/**/*.parquet', union_by_name = true) t
			WHERE contains(lower(CAST(t AS VARCHAR)), ?)`, data), s)
	}
	known := queryString(t, db, fmt.Sprintf("SELECT min(lower(email)) FROM read_parquet('%s/customers/*.parquet')", data))
	unknown := "nobody.at.all@example.org"
	if mentions(known) == 0 || mentions(unknown) != 0 {
		t.Fatalf("the search of the demo data does not find a customer's email, or finds %s", unknown)
	}
	for _, c := range []struct{ email, want string }{
		{unknown, "no customer, request or export row of 2026-11-21 has this email"},
		{"not-an-email", "no customer, request or export row of 2026-11-21 has this email (it is not a valid email, so no key comes from it)"},
	} {
		if got := explainJSON(t, "--config", cfg, "--date", "2026-11-21", "--email", c.email)["verdict"]; got != c.want {
			t.Errorf("%d-character email: verdict %q, want %q", len(c.email), got, c.want)
		}
	}

	// A rejected request: its phone's person has it among the requests
	// that do not count, and the verdict says so.
	var rejected, phone string
	if err := db.QueryRow(fmt.Sprintf(`SELECT request_id, any_value(phone) FROM read_parquet('%s/requests/web_form/**/*.parquet')
		GROUP BY request_id HAVING bool_and(lower(trim(status)) = 'rejected') AND count(phone) > 0 ORDER BY request_id LIMIT 1`, data)).Scan(&rejected, &phone); err != nil {
		t.Fatal(err)
	}
	ex = explainJSON(t, "--config", cfg, "--date", "2026-11-21", "--phone", phone)
	found := false
	for _, r := range rowsOf(ex, "uncounted_requests") {
		found = found || r["request_id"] == rejected && r["not_counted_because"] == "rejected"
	}
	if !found || !strings.Contains(fmt.Sprint(ex["verdict"]), "on their keys not counted") {
		t.Errorf("the person of rejected request %s: verdict %q, uncounted %v", rejected, ex["verdict"], ex["uncounted_requests"])
	}
}

// explain --request-id shows a request's life: received, counted or why
// not, first enforced, deadline and SLA status as the published ledger has
// them, and the third parties notified as the published notifications
// list them; its verdict sums it up.
func TestExplainRequestLife(t *testing.T) {
	cfg, out, db := twoDemoRuns(t)
	ledger := filepath.Join(out, "requests_ledger", "part-0.parquet")
	notifications := fmt.Sprintf("read_parquet('%s', hive_partitioning = false)", filepath.Join(out, "third_party_notifications", "dt=*", "*.parquet"))
	// A request whose first enforcement notified third parties.
	id := queryString(t, db, "SELECT min(request_id) FROM "+notifications)
	if id == "" {
		t.Fatal("the two demo runs notified no third party")
	}
	var firstAt time.Time
	var firstDate, deadline, sla string
	if err := db.QueryRow(fmt.Sprintf(`SELECT first_enforced_at, CAST(first_enforced_date AS VARCHAR), strftime(deadline, '%%Y-%%m-%%dT%%H:%%M:%%S.%%fZ'), sla_status
		FROM read_parquet('%s') WHERE request_id = ?`, ledger), id).Scan(&firstAt, &firstDate, &deadline, &sla); err != nil {
		t.Fatal(err)
	}
	var wantNotified []string
	rows, err := db.Query(fmt.Sprintf("SELECT export, destination, CAST(dt AS VARCHAR) FROM %s WHERE request_id = ? ORDER BY ALL", notifications), id)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var e, d, dt string
		if err := rows.Scan(&e, &d, &dt); err != nil {
			t.Fatal(err)
		}
		wantNotified = append(wantNotified, e+"/"+d+"/"+dt)
	}
	rows.Close()

	ex := explainJSON(t, "--config", cfg, "--date", "2026-11-21", "--request-id", id)
	life, _ := ex["request"].(map[string]any)
	gotDeadline, _ := time.Parse(time.RFC3339Nano, fmt.Sprint(life["deadline"]))
	wantDeadline, _ := time.Parse("2006-01-02T15:04:05.999999Z", deadline)
	if life["counted"] != true || life["first_enforced_date"] != firstDate || life["first_enforced_at"] != firstAt.UTC().Format(time.RFC3339Nano) ||
		!gotDeadline.Equal(wantDeadline) || life["sla_status"] != sla {
		t.Errorf("request %s: life %v\nwant counted, first enforced %s on %s, deadline %s, SLA %s", id, life, firstAt, firstDate, deadline, sla)
	}
	var gotNotified []string
	for _, r := range rowsOf(ex, "third_parties_notified") {
		gotNotified = append(gotNotified, fmt.Sprintf("%v/%v/%v", r["export"], r["destination"], r["export_dt"]))
	}
	if fmt.Sprint(gotNotified) != fmt.Sprint(wantNotified) {
		t.Errorf("request %s: notified %v, want %v", id, gotNotified, wantNotified)
	}
	verdict := fmt.Sprint(ex["verdict"])
	for _, want := range []string{"request " + id + " (", "counted as of 2026-11-21", "first enforced on " + firstDate, "SLA " + sla + " (deadline ",
		fmt.Sprintf("%d third-party notification", len(wantNotified))} {
		if !strings.Contains(verdict, want) {
			t.Errorf("verdict %q lacks %q", verdict, want)
		}
	}
	text := explainText(t, "--config", cfg, "--date", "2026-11-21", "--request-id", id)
	if first, _, _ := strings.Cut(text, "\n"); first != verdict {
		t.Errorf("the text output starts %q, not the verdict", first)
	}
	if !strings.Contains(text, fmt.Sprintf("third parties notified (%d)", len(wantNotified))) {
		t.Errorf("text output:\n%s", text)
	}
	if regexp.MustCompile(`@|\+1\d{10}`).MatchString(text + fmt.Sprint(ex)) {
		t.Error("explain --request-id shows an email or a phone")
	}

	// As of the day before, the run for that day did not count it: the
	// explanation says why (it was read only after that day's as-of instant).
	life, _ = explainJSON(t, "--config", cfg, "--date", "2026-11-20", "--request-id", id)["request"].(map[string]any)
	if life["counted"] != false || !strings.Contains(fmt.Sprint(life["not_counted_because"]), "after the as-of instant") {
		t.Errorf("request %s as of 2026-11-20: %v", id, life)
	}

	// A quarantined request (no usable row of it), with its reason.
	var quarantined, reason string
	if err := db.QueryRow(fmt.Sprintf(`SELECT request_id, reason FROM read_parquet('%s/quarantine/web_form/dt=2026-11-21/*.parquet', hive_partitioning = false)
		WHERE request_id IS NOT NULL AND request_id NOT IN (SELECT request_id FROM read_parquet('%s')) ORDER BY request_id LIMIT 1`, out, ledger)).Scan(&quarantined, &reason); err != nil {
		t.Fatal(err)
	}
	ex = explainJSON(t, "--config", cfg, "--date", "2026-11-21", "--request-id", quarantined)
	if want := "not counted as of 2026-11-21: quarantined: " + reason; !strings.Contains(fmt.Sprint(ex["verdict"]), want) {
		t.Errorf("quarantined request %s: verdict %q, want %q", quarantined, ex["verdict"], want)
	}

	// A pending request with policy.apply_pending false is not counted; and
	// an output no run has published to has enforced nothing yet.
	pending := queryString(t, db, fmt.Sprintf("SELECT min(request_id) FROM read_parquet('%s') WHERE status = 'pending' AND request_type = 'opt_out'", ledger))
	held, _ := demoConfig(t, func(s string) string { return strings.Replace(s, "apply_pending: true", "apply_pending: false", 1) })
	life, _ = explainJSON(t, "--config", held, "--date", "2026-11-21", "--request-id", pending)["request"].(map[string]any)
	if life["counted"] != false || life["not_counted_because"] != "pending, and policy.apply_pending is false" || life["first_enforced_at"] != nil {
		t.Errorf("pending request %s with apply_pending false: %v", pending, life)
	}
	fresh, _ := demoConfig(t, nil)
	ex = explainJSON(t, "--config", fresh, "--date", "2026-11-21", "--request-id", id)
	life, _ = ex["request"].(map[string]any)
	if life["counted"] != true || life["enforced_by_next_run"] != true || life["first_enforced_at"] != nil ||
		!strings.Contains(fmt.Sprint(ex["verdict"]), "not yet enforced") || !strings.Contains(fmt.Sprint(ex["verdict"]), "no third party notified") {
		t.Errorf("request %s before any run: %v", id, ex)
	}

	// An id no request row and no ledger entry has.
	data, _ := filepath.Abs("../../../testdata/demo/data")
	if n := queryInt(t, db, fmt.Sprintf(`SELECT count(*) FROM read_parquet('%s/requests/**/*.parquet', union_by_name = true) t
		WHERE contains(upper(CAST(t AS VARCHAR)), 'NO-SUCH-REQUEST')`, data)) + queryInt(t, db,
		fmt.Sprintf("SELECT count(*) FROM read_parquet('%s') WHERE request_id = 'NO-SUCH-REQUEST'", ledger)); n != 0 {
		t.Fatal("the demo requests or the ledger hold NO-SUCH-REQUEST")
	}
	ex = explainJSON(t, "--config", cfg, "--date", "2026-11-21", "--request-id", "NO-SUCH-REQUEST")
	if want := "no request row of 2026-11-21, nor the request ledger, has request_id NO-SUCH-REQUEST"; ex["verdict"] != want || ex["request"] != nil {
		t.Errorf("unknown request: %v, want verdict %q", ex, want)
	}
}

// explain computes D from the inputs as they are now. When D's published
// outputs did not count a request that counts now (one that reached the
// log after D's run: D's exports went out with the person), the verdict
// says so, naming the request and when it was first enforced; for a date
// with no published run, it says that nothing is published.
func TestExplainSaysWhatThePublishedRunDidNotCount(t *testing.T) {
	late := filepath.Join(t.TempDir(), "late.parquet")
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	writeLate := func(where string) {
		t.Helper()
		q := fmt.Sprintf(`COPY (SELECT 'WF-LATE-1' AS request_id, TIMESTAMP '2026-11-21 18:00:00' AS received_at, 'opt_out' AS request_type,
			'verified' AS status, 'olga.okafor1348@icloud.com' AS email %s) TO '%s' (FORMAT parquet)`, where, late)
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	writeLate("WHERE false") // the source is there, empty, when the run of 2026-11-21 reads it
	cfg, _ := demoConfig(t, func(s string) string {
		return strings.Replace(noFreshness(s), "  requests:\n", "  requests:\n    - {name: late, path: "+late+"}\n", 1)
	})
	verdict := func(dt string) string {
		t.Helper()
		return fmt.Sprint(explainJSON(t, "--config", cfg, "--date", dt, "--email", "olga.okafor1348@icloud.com")["verdict"])
	}
	if v := verdict("2026-11-21"); !strings.HasSuffix(v, "; no run of 2026-11-21 has published outputs: this is what one would publish") {
		t.Errorf("before any run: verdict %q, want it to say nothing is published", v)
	}
	if code, _, se := run(t, "run", "--config", cfg, "--date", "2026-11-21", "--now", "2026-11-22T09:00:00Z"); code != 0 {
		t.Fatalf("run: exit %d\n%s", code, se)
	}
	if v := verdict("2026-11-21"); !strings.HasPrefix(v, "not opted out") || strings.Contains(v, "published") {
		t.Fatalf("after the run: verdict %q, want not opted out, as published", v)
	}
	writeLate("") // the request reaches the log after the run
	const notCounted = "the outputs published for 2026-11-21 did not count request WF-LATE-1 "
	if v := verdict("2026-11-21"); !strings.HasPrefix(v, "opted out of") || !strings.HasSuffix(v, notCounted+"(not yet enforced), which reached the log after its run: they may differ from the above") {
		t.Errorf("after the late request: verdict %q, want it to say the published outputs did not count it", v)
	}
	if code, _, se := run(t, "run", "--config", cfg, "--date", "2026-11-22", "--now", "2026-11-23T09:00:00Z"); code != 0 {
		t.Fatalf("run: exit %d\n%s", code, se)
	}
	if v := verdict("2026-11-21"); !strings.Contains(v, notCounted+"(first enforced on 2026-11-22)") {
		t.Errorf("after the next night's run: verdict %q, want it to name the first enforcement", v)
	}
	if v := verdict("2026-11-22"); !strings.HasPrefix(v, "opted out of") || strings.Contains(v, "published") {
		t.Errorf("the next date: verdict %q, want opted out, as published", v)
	}
	// A rerun of 2026-11-21 counts it: its outputs are the rerun's.
	if code, _, se := run(t, "run", "--config", cfg, "--date", "2026-11-21", "--now", "2026-11-23T10:00:00Z"); code != 0 {
		t.Fatalf("rerun: exit %d\n%s", code, se)
	}
	if v := verdict("2026-11-21"); !strings.HasPrefix(v, "opted out of") || strings.Contains(v, "published") {
		t.Errorf("after a rerun of 2026-11-21: verdict %q, want opted out, as published", v)
	}
}

// A request that retention removed from the published ledger was counted
// by the runs that published D all the same: explain finds its first
// enforcement in requests_ledger_removed and does not take it for one the
// published outputs missed. Case 84: rA and rD are removed, rB is not.
func TestExplainKnowsRequestsRetentionRemoved(t *testing.T) {
	work := t.TempDir()
	dir := "../../../testdata/cases/84_ledger_retention_is_remembered"
	if err := casefolder.Prepare(dir, work); err != nil {
		t.Fatal(err)
	}
	runs, err := casefolder.Runs(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(work, "optout.yaml")
	for _, r := range runs {
		if code, _, se := run(t, append([]string{"run", "--config", cfg}, strings.Fields(r)...)...); code != 0 {
			t.Fatalf("run %s: exit %d\n%s", r, code, se)
		}
	}
	for _, email := range []string{"a@example.com", "d@example.com", "b@example.com"} {
		ex := explainJSON(t, "--config", cfg, "--date", "2026-11-22", "--email", email)
		if v := fmt.Sprint(ex["verdict"]); strings.Contains(v, "did not count") || len(ex["counted_requests"].([]any)) == 0 {
			t.Errorf("%s: verdict %q (counted requests %v), want one that all published runs counted", email, v, ex["counted_requests"])
		}
	}
	// So does the life of each removed request: first enforced as the
	// removed requests' record says, not "not yet enforced".
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, id := range []string{"rA", "rD"} {
		var want string
		if err := db.QueryRow(fmt.Sprintf(`SELECT strftime(first_enforced_date, '%%Y-%%m-%%d') FROM read_parquet('%s/out/requests_ledger_removed/*.parquet') WHERE request_id = ?`, work), id).Scan(&want); err != nil {
			t.Fatalf("%s in requests_ledger_removed: %v", id, err)
		}
		ex := explainJSON(t, "--config", cfg, "--date", "2026-11-22", "--request-id", id)
		life, _ := ex["request"].(map[string]any)
		if life["first_enforced_date"] != want || life["enforced_by_next_run"] != false || !strings.Contains(fmt.Sprint(ex["verdict"]), "first enforced on "+want) {
			t.Errorf("request %s, removed by retention after its first enforcement on %s: life %v, verdict %q", id, want, life, ex["verdict"])
		}
	}
}
