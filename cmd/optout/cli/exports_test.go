package cli

import (
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/optout-dev/optout/internal/redact"
	"github.com/optout-dev/optout/internal/testkit/casefolder"
)

var demoRun = []string{"--date", "2026-11-21", "--now", "2026-11-22T09:00:00Z"}

var demoExports = []string{"google_ads_audience", "meta_audience", "partner_list_rental"}

// exportFolders are the per-export outputs a failed run must not publish.
var exportFolders = []string{"exports", "suppression", "export_report"}

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// fixture writes the SELECTs as Parquet files under dir/inputs and the
// config as dir/optout.yaml, returning the config's path.
func fixture(t *testing.T, config string, inputs map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := os.MkdirAll(filepath.Join(dir, "inputs"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, q := range inputs {
		mustExec(t, db, fmt.Sprintf("COPY (%s) TO '%s' (FORMAT parquet)", q, filepath.Join(dir, "inputs", name+".parquet")))
	}
	cfg := filepath.Join(dir, "optout.yaml")
	if err := os.WriteFile(cfg, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// zOptedOutFixture is a config with the one export given (a flow mapping)
// over customer C1, z@example.com, whose request r1 opts out of all; more
// holds further inputs (name → SELECT), as fixture's.
func zOptedOutFixture(t *testing.T, export string, more map[string]string) string {
	t.Helper()
	inputs := map[string]string{
		"customers": `SELECT 'C1' AS customer_id, 'z@example.com' AS email, NULL::VARCHAR AS phone`,
		"requests":  `SELECT 'r1' AS request_id, TIMESTAMP '2026-11-01 10:00:00' AS received_at, 'opt_out' AS request_type, 'verified' AS status, 'z@example.com' AS email`,
	}
	for name, q := range more {
		inputs[name] = q
	}
	return fixture(t, `
engine: duckdb
timezone: UTC
output: out
inputs:
  requests: [{name: web, path: inputs/requests.parquet}]
  customers: {path: inputs/customers.parquet}
exports:
  - `+export+"\n", inputs)
}

// readCSV parses a written CSV strictly (RFC 4180, no lazy quotes).
func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s is not RFC 4180 CSV: %v", path, err)
	}
	return recs
}

// treeBytes maps every file under root/folders to its content.
func treeBytes(t *testing.T, root string, folders ...string) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, f := range folders {
		_ = filepath.WalkDir(filepath.Join(root, f), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(root, p)
			got[rel] = string(b)
			return nil
		})
	}
	return got
}

func TestDemoExportReportAddsUp(t *testing.T) {
	cfg, out := demoConfig(t, nil)
	if code, _, se := run(t, append([]string{"run", "--config", cfg}, demoRun...)...); code != 0 {
		t.Fatalf("exit %d\n%s", code, se)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	data, _ := filepath.Abs("../../../testdata/demo/data")
	for _, name := range demoExports {
		var in, kept, suppressed, quarantined, byReason int64
		var leak string
		err := db.QueryRow(fmt.Sprintf(`SELECT rows_in, rows_kept, rows_suppressed, rows_quarantined,
			customer_opted_out + identifier_opted_out + channel_opted_out + not_opted_in, leak_check
			FROM read_parquet('%s/export_report/dt=2026-11-21/*.parquet') WHERE export = ?`, out), name).
			Scan(&in, &kept, &suppressed, &quarantined, &byReason, &leak)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		source := queryInt(t, db, fmt.Sprintf("SELECT count(*) FROM read_parquet('%s/exports/%s.parquet')", data, name))
		dir := filepath.Join(out, "exports", name, "dt=2026-11-21")
		files, _ := filepath.Glob(filepath.Join(dir, "part-0.*"))
		if len(files) != 1 {
			t.Fatalf("%s: written files %v", name, files)
		}
		reader := "read_parquet"
		if strings.HasSuffix(files[0], ".csv") {
			reader = "read_csv"
		}
		written := queryInt(t, db, fmt.Sprintf("SELECT count(*) FROM %s('%s')", reader, files[0]))
		inQuarantine := queryInt(t, db, fmt.Sprintf("SELECT count(*) FROM read_parquet('%s/quarantine/%s/dt=2026-11-21/*.parquet')", out, name))
		if in != source || in != kept+suppressed+quarantined || written != kept || suppressed != byReason || quarantined != inQuarantine || leak != "passed" {
			t.Errorf("%s: source %d rows; report in %d = kept %d + suppressed %d (by reason %d) + quarantined %d; written %d; quarantine %d; leak check %s",
				name, source, in, kept, suppressed, byReason, quarantined, written, inQuarantine, leak)
		}
		if suppressed == 0 || kept == 0 {
			t.Errorf("%s: the demo should both keep and suppress rows", name)
		}
		// _SUCCESS is there, and no file in the folder is newer.
		marker, err := os.Stat(filepath.Join(dir, "_SUCCESS"))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if f, _ := os.Stat(files[0]); f.ModTime().After(marker.ModTime()) {
			t.Errorf("%s: _SUCCESS is older than the export file", name)
		}
		if recs := readCSV(t, filepath.Join(out, "suppression", name, "dt=2026-11-21", "suppression.csv")); len(recs) < 2 || !slices.Equal(recs[0], []string{"identifier_type", "hashed_value"}) {
			t.Errorf("%s: suppression list header %v, %d lines", name, recs[0], len(recs))
		}
	}
	// The runs row keeps each leak check.
	if n := queryInt(t, db, fmt.Sprintf(`SELECT count(*) FROM (SELECT unnest(leak_checks) AS l FROM read_parquet('%s/runs/*.parquet')) WHERE l.result = 'passed' AND l.leaks = 0`, out)); n != 3 {
		t.Errorf("runs row records %d passed leak checks, want 3", n)
	}
}

func TestPlantedLeakFailsAndWithdrawsEveryExport(t *testing.T) {
	cfg, out := demoConfig(t, nil)
	args := append([]string{"run", "--config", cfg}, demoRun...)
	if code, _, se := run(t, args...); code != 0 {
		t.Fatalf("exit %d\n%s", code, se)
	}
	before := treeBytes(t, out, exportFolders...)
	if len(before) < 9 {
		t.Fatalf("only %d export files after a good run", len(before))
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	suppressed := queryInt(t, db, fmt.Sprintf("SELECT rows_suppressed FROM read_parquet('%s/export_report/dt=2026-11-21/*.parquet') WHERE export = 'meta_audience'", out))

	// The hook writes meta_audience unfiltered: the leak check, deriving
	// each written row's state again from its hashed keys, finds exactly
	// the rows the filter dropped.
	t.Setenv("OPTOUT_TEST_PLANT_LEAK", "meta_audience")
	code, so, se := run(t, args...)
	if code != 1 {
		t.Fatalf("planted leak: exit %d, want 1\n%s", code, se)
	}
	m := regexp.MustCompile(`leak check failed for export meta_audience: (\d+) written rows`).FindStringSubmatch(se)
	if m == nil {
		t.Fatalf("the error does not name the export and count:\n%s", se)
	}
	if n, _ := strconv.ParseInt(m[1], 10, 64); n != suppressed {
		t.Errorf("leak count %d, want the %d suppressed rows", n, suppressed)
	}
	if !strings.Contains(so, `"status":"failed"`) {
		t.Errorf("summary: %s", so)
	}
	// D's exports are those of the good run, byte for byte.
	after := treeBytes(t, out, exportFolders...)
	if len(after) != len(before) {
		t.Errorf("%d export files before, %d after", len(before), len(after))
	}
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s changed by the failed run", k)
		}
	}
	if n := queryInt(t, db, fmt.Sprintf(`SELECT count(*) FROM (SELECT unnest(leak_checks) AS l FROM read_parquet('%s/runs/*.parquet')) WHERE l.export = 'meta_audience' AND l.result = 'failed' AND l.leaks = %s`, out, m[1])); n != 1 {
		t.Errorf("runs rows record %d failed leak checks of meta_audience", n)
	}

	// The sync metric counts the failure: the planted run checked
	// google_ads_audience (passed) and meta_audience (failed), then stopped;
	// all three runs were for the same date.
	t.Setenv("OPTOUT_TEST_PLANT_LEAK", "")
	if code, _, se := run(t, args...); code != 0 {
		t.Fatalf("run after the leak: exit %d\n%s", code, se)
	}
	rows, err := db.Query(fmt.Sprintf("SELECT export, dates_checked, leak_check_failures, round(failure_rate, 4) FROM read_parquet('%s/metrics/sync/dt=2026-11-21/*.parquet') ORDER BY export", out))
	if err != nil {
		t.Fatal(err)
	}
	var sync []string
	for rows.Next() {
		var e string
		var checks, failures int64
		var rate float64
		if err := rows.Scan(&e, &checks, &failures, &rate); err != nil {
			t.Fatal(err)
		}
		sync = append(sync, fmt.Sprintf("%s %d %d %.4f", e, checks, failures, rate))
	}
	rows.Close()
	if want := []string{"google_ads_audience 1 0 0.0000", "meta_audience 1 1 1.0000", "partner_list_rental 1 0 0.0000"}; !slices.Equal(sync, want) {
		t.Errorf("sync metric %q, want %q", sync, want)
	}
	t.Setenv("OPTOUT_TEST_PLANT_LEAK", "meta_audience")

	// On a fresh output nothing is published at all.
	cfg2, out2 := demoConfig(t, nil)
	if code, _, se := run(t, append([]string{"run", "--config", cfg2}, demoRun...)...); code != 1 {
		t.Fatalf("planted leak on a fresh output: exit %d\n%s", code, se)
	}
	for _, f := range append(exportFolders, "customers_flagged") {
		if _, err := os.Stat(filepath.Join(out2, f)); err == nil {
			t.Errorf("%s published by a run whose leak check failed", f)
		}
	}
}

// The leak check derives each written row's state from its whole R(x), as
// the filter does (case 75), on a plain and on a hashed export: a good run
// passes although the kept row of ann's email and C1's phone carries ann's
// email, opted out on its own; a planted leak (the audience written
// unfiltered) counts the two rows the filter dropped, not the three rows
// that carry ann's email.
func TestLeakCheckFollowsTheRowDecision(t *testing.T) {
	for _, hashed := range []bool{false, true} {
		t.Run(fmt.Sprintf("hashed %v", hashed), func(t *testing.T) {
			work := t.TempDir()
			if err := casefolder.Prepare("../../../testdata/cases/75_export_row_union_later_opt_in_through_customer", work); err != nil {
				t.Fatal(err)
			}
			cfg := filepath.Join(work, "optout.yaml")
			if hashed {
				b, err := os.ReadFile(cfg)
				if err != nil {
					t.Fatal(err)
				}
				b = []byte(strings.Replace(string(b), "category: advertising,", "category: advertising, hash_identifiers: true,", 1))
				if err := os.WriteFile(cfg, b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			plantedLeakCounts(t, cfg, "ga", 2)
		})
	}
}

// The leak check derives a row's channel state from its whole R(x) too
// (case 77): written unfiltered, the export's two rows dropped for the
// channel are counted, and not the row kept by a later opt_in of the
// channel through a customer, nor the row no request covers.
func TestLeakCheckCountsChannelDrops(t *testing.T) {
	work := t.TempDir()
	if err := casefolder.Prepare("../../../testdata/cases/77_export_row_union_channel", work); err != nil {
		t.Fatal(err)
	}
	plantedLeakCounts(t, filepath.Join(work, "optout.yaml"), "mail", 2)
}

// plantedLeakCounts runs a case's config, which must pass, then again with
// its export written unfiltered: the leak check must fail the run
// counting want written rows.
func plantedLeakCounts(t *testing.T, cfg, export string, want int) {
	t.Helper()
	args := []string{"run", "--config", cfg, "--date", "2026-11-21", "--now", "2026-11-22T12:00:00Z"}
	if code, _, se := run(t, args...); code != 0 {
		t.Fatalf("exit %d\n%s", code, se)
	}
	t.Setenv("OPTOUT_TEST_PLANT_LEAK", export)
	code, _, se := run(t, args...)
	if code != 1 || !strings.Contains(se, fmt.Sprintf("leak check failed for export %s: %d written rows", export, want)) {
		t.Errorf("planted leak: exit %d, want 1 and %d written rows\n%s", code, want, se)
	}
}

// A hashed export to an ad platform may map a kind its suppression list
// does not take (a customer id): the leak check still meets that kind's
// hashes. Case 97's audience keyed by its crm_id column alone, C1 opted
// out by customer id: the planted leak writes C1's row, and the check
// counts it.
func TestHashedLeakCheckMeetsEveryMappedKind(t *testing.T) {
	work := t.TempDir()
	if err := casefolder.Prepare("../../../testdata/cases/97_suppression_list_google_takes_given_hashes_only_its_types", work); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(work, "optout.yaml")
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mapped := strings.Replace(string(b), "identifiers: {email: email, phone: phone}", "hash_identifiers: true, identifiers: {customer_id: crm_id}", 1)
	if mapped == string(b) {
		t.Fatal("the case's export line has changed: update this test")
	}
	if err := os.WriteFile(cfg, []byte(mapped), 0o644); err != nil {
		t.Fatal(err)
	}
	plantedLeakCounts(t, cfg, "ga", 1)
}

// Every kind of input fails closed: no export, suppression list or report.
func TestEveryInputKindFailsClosed(t *testing.T) {
	tmp := t.TempDir()
	garbage := filepath.Join(tmp, "broken.parquet")
	if err := os.WriteFile(garbage, []byte("PAR1 not really"), 0o644); err != nil {
		t.Fatal(err)
	}
	data, _ := filepath.Abs("../../../testdata/demo/data")
	cases := []struct {
		kind, from, to string
		date           string
		code           int
		want           string
	}{
		{"requests stale", "", "", "2026-12-02", 1, "input web_form is stale"},
		{"requests unreadable", "path: DATA/requests/preference_center.parquet", "path: " + garbage, "", 3, redact.String(garbage)},
		{"customers missing", "customers: {path: DATA/customers}", "customers: {path: " + tmp + "/none}", "", 3, "does not exist"},
		{"identity_links unreadable", "path: DATA/identity_links.parquet", "path: " + garbage, "", 3, redact.String(garbage)},
		{"traffic missing column", "traffic: {path: DATA/traffic.parquet}", "traffic: {path: DATA/identity_links.parquet}", "", 3, "traffic"},
		{"export source unreadable", "path: DATA/exports/meta_audience.parquet", "path: " + garbage, "", 3, redact.String(garbage)},
		{"export source missing mapped column", "identifiers: {email: contact_email, customer_id: crm_id}", "identifiers: {email: contact_email, customer_id: crm_key}", "", 3, "crm_key"},
	}
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			cfg, out := demoConfig(t, func(s string) string {
				if c.from == "" {
					return s
				}
				from := strings.ReplaceAll(c.from, "DATA", data)
				if !strings.Contains(s, from) {
					t.Fatalf("the demo config has no %q", from)
				}
				return strings.Replace(s, from, strings.ReplaceAll(c.to, "DATA", data), 1)
			})
			date, now := "2026-11-21", "2026-11-22T09:00:00Z"
			if c.date != "" { // the next morning
				d, _ := time.Parse(time.DateOnly, c.date)
				date, now = c.date, d.AddDate(0, 0, 1).Format(time.DateOnly)+"T09:00:00Z"
			}
			code, _, se := run(t, "run", "--config", cfg, "--date", date, "--now", now)
			if code != c.code || !strings.Contains(se, c.want) {
				t.Fatalf("exit %d, want %d with %q\n%s", code, c.code, c.want, se)
			}
			for _, f := range exportFolders {
				if _, err := os.Stat(filepath.Join(out, f)); err == nil {
					t.Errorf("%s published although input failed", f)
				}
			}
		})
	}
}

// The destination hashes, computed here independently with crypto/sha256
// from hand-normalized values.
func TestDestinationHashes(t *testing.T) {
	cfg := fixture(t, `
engine: duckdb
timezone: UTC
output: out
inputs:
  requests: [{name: web, path: inputs/requests.parquet}]
  customers: {path: inputs/customers.parquet}
  identity_links: {path: inputs/links.parquet}
exports:
  - {name: ga, path: inputs/audience.parquet, destination: google_ads, category: advertising, hash_identifiers: true, identifiers: {email: email, phone: phone}}
  - {name: li, path: inputs/audience.parquet, destination: linkedin, category: advertising, hash_identifiers: true, identifiers: {email: email, phone: phone}, format: csv}
  - {name: fb, path: inputs/audience.parquet, destination: meta, category: advertising, hash_identifiers: true, identifiers: {email: email, phone: phone}, format: csv}
  - {name: gen, path: inputs/audience.parquet, destination: generic, category: advertising, identifiers: {email: email, phone: phone}}
`, map[string]string{
		"customers": `SELECT * FROM (VALUES ('C1', 'bob@example.com', '(212) 555-0199'), ('C2', 'J.Doe+shop@gmail.com', NULL)) t(customer_id, email, phone)`,
		"links":     `SELECT * FROM (VALUES ('C1', ' Bob.Alt@Example.COM ', '+44 20 7946 0958')) t(customer_id, email, phone)`,
		"requests":  `SELECT 'r1' AS request_id, TIMESTAMP '2026-11-01 10:00:00' AS received_at, 'opt_out' AS request_type, 'verified' AS status, 'C1' AS customer_id`,
		"audience": `SELECT * FROM (VALUES (' J.Doe+x@GMAIL.com ', '(212) 555-0102', 'keep'), ('BOB@example.com', NULL, 'drop'))
			t(email, phone, segment)`,
	})
	out := filepath.Join(filepath.Dir(cfg), "out")
	if code, _, se := run(t, "run", "--config", cfg, "--date", "2026-11-21", "--now", "2026-11-22T09:00:00Z"); code != 0 {
		t.Fatalf("exit %d\n%s", code, se)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	read := func(name, file string) [][]string {
		p := filepath.Join(out, "exports", name, "dt=2026-11-21", file)
		if strings.HasSuffix(file, ".csv") {
			return readCSV(t, p)
		}
		var email, phone, segment string
		if err := db.QueryRow(fmt.Sprintf("SELECT email, phone, segment FROM read_parquet('%s')", p)).Scan(&email, &phone, &segment); err != nil {
			t.Fatal(err)
		}
		return [][]string{{"email", "phone", "segment"}, {email, phone, segment}}
	}
	jane := sha("jdoe@gmail.com")
	for _, c := range []struct {
		name, file, phone string
		suppression       [][]string
	}{
		{"ga", "part-0.parquet", sha("+12125550102"), [][]string{
			{"email", sha("bob.alt@example.com")}, {"email", sha("bob@example.com")}, {"phone", sha("+12125550199")}, {"phone", sha("+442079460958")}}},
		{"li", "part-0.csv", sha("+12125550102"), [][]string{
			{"email", sha("bob.alt@example.com")}, {"email", sha("bob@example.com")}, {"phone", sha("+12125550199")}, {"phone", sha("+442079460958")}}},
		{"fb", "part-0.csv", sha("12125550102"), [][]string{
			{"email", sha("bob.alt@example.com")}, {"email", sha("bob@example.com")}, {"phone", sha("12125550199")}, {"phone", sha("442079460958")}}},
	} {
		got := read(c.name, c.file)
		want := [][]string{{"email", "phone", "segment"}, {jane, c.phone, "keep"}}
		if !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("%s export:\n got %q\nwant %q", c.name, got, want)
		}
		list := readCSV(t, filepath.Join(out, "suppression", c.name, "dt=2026-11-21", "suppression.csv"))
		slices.SortFunc(c.suppression, func(a, b []string) int { return strings.Compare(a[0]+a[1], b[0]+b[1]) })
		if !slices.EqualFunc(list[1:], c.suppression, slices.Equal) {
			t.Errorf("%s suppression list:\n got %q\nwant %q", c.name, list[1:], c.suppression)
		}
	}
	// The generic list takes every identifier type, our own key hashes, in
	// the order of the types' names (customer_id before email, though the
	// plan meets email first) and then of the hashes.
	want := [][]string{{"customer_id", sha("C1")},
		{"email", sha("bob.alt@example.com")}, {"email", sha("bob@example.com")},
		{"phone", sha("+12125550199")}, {"phone", sha("+442079460958")}}
	slices.SortFunc(want, func(a, b []string) int { return strings.Compare(a[0]+a[1], b[0]+b[1]) })
	if list := readCSV(t, filepath.Join(out, "suppression", "gen", "dt=2026-11-21", "suppression.csv")); !slices.EqualFunc(list[1:], want, slices.Equal) {
		t.Errorf("generic suppression list:\n got %q\nwant %q", list[1:], want)
	}
}

// CSV exports quote commas, quotes and line breaks (RFC 4180) and keep every
// byte of every value.
func TestCSVExportKeepsEveryByte(t *testing.T) {
	values := [][]string{
		{"a@example.com", `Smith, Jane`, `she said "hi"`},
		{"b@example.com", "two\nlines", "crlf\r\nend"},
		{"c@example.com", "  padded  ", "ünïcödé ✓"},
		{"d@example.com", "", `"`},
	}
	var rows []string
	for _, v := range values {
		rows = append(rows, fmt.Sprintf("(%s, %s, %s)", lit(v[0]), lit(v[1]), lit(v[2])))
	}
	cfg := zOptedOutFixture(t, "{name: list, path: inputs/list.parquet, destination: generic, category: marketing_partners, identifiers: {email: email}, format: csv}",
		map[string]string{"list": "SELECT * FROM (VALUES " + strings.Join(rows, ", ") + ") t(email, name, note)"})
	if code, _, se := run(t, "run", "--config", cfg, "--date", "2026-11-21", "--now", "2026-11-22T09:00:00Z"); code != 0 {
		t.Fatalf("exit %d\n%s", code, se)
	}
	got := readCSV(t, filepath.Join(filepath.Dir(cfg), "out", "exports", "list", "dt=2026-11-21", "part-0.csv"))
	want := append([][]string{{"email", "name", "note"}}, values...)
	// encoding/csv turns \r\n inside a quoted field into \n.
	want[2][2] = "crlf\nend"
	slices.SortFunc(got[1:], func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("CSV export:\n got %q\nwant %q", got, want)
	}
}

// lit quotes a string as a SQL literal.
func lit(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// An input's ** pattern reaching into the output through a symbolic link
// is what the config's check cannot see: the run asks of every file it
// lists, and stops (exit 2) before reading its own published export as an
// input and replacing the folder it read.
func TestInputLinkedIntoTheOutputIsRefused(t *testing.T) {
	cfg := zOptedOutFixture(t, "{name: list, path: 'inputs/exp/**/*.parquet', destination: generic, category: marketing_partners, identifiers: {email: email}}",
		map[string]string{"list": `SELECT * FROM (VALUES ('a@example.com', 'alice'), ('z@example.com', 'zed')) t(email, name)`})
	dir := filepath.Dir(cfg)
	if err := os.MkdirAll(filepath.Join(dir, "inputs", "exp"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "inputs", "list.parquet"), filepath.Join(dir, "inputs", "exp", "list.parquet")); err != nil {
		t.Fatal(err)
	}
	args := []string{"run", "--config", cfg, "--date", "2026-11-21", "--now", "2026-11-22T09:00:00Z"}
	if code, _, se := run(t, args...); code != 0 {
		t.Fatalf("first run: exit %d\n%s", code, se)
	}
	if err := os.Symlink(filepath.Join(dir, "out", "exports"), filepath.Join(dir, "inputs", "exp", "prev")); err != nil {
		t.Fatal(err)
	}
	code, _, se := run(t, args...)
	if code != 2 || !strings.Contains(se, "lies in the output") || !strings.Contains(se, "input list") {
		t.Errorf("run with the link: exit %d, want 2 naming the input and the file in the output\n%s", code, se)
	}
}
