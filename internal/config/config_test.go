package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/optout-dev/optout/internal/exit"
)

const minimal = `
output: out
inputs:
  requests:
    - {name: web, path: data/requests.parquet, freshness: 2d}
  customers: {path: ${OPTOUT_TEST_DIR}/customers}
`

func write(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "optout.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadResolvesDefaultsPathsAndEnv(t *testing.T) {
	t.Setenv("OPTOUT_TEST_DIR", "/srv/data")
	p := write(t, minimal)
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(p)
	if c.Output != filepath.Join(dir, "out") || c.Inputs.Requests[0].Path != filepath.Join(dir, "data/requests.parquet") {
		t.Errorf("paths not resolved against the config file: %q %q", c.Output, c.Inputs.Requests[0].Path)
	}
	if c.Inputs.Customers.Path != "/srv/data/customers" {
		t.Errorf("env not expanded: %q", c.Inputs.Customers.Path)
	}
	if c.Inputs.Requests[0].Freshness.Hours() != 48 {
		t.Errorf("freshness 2d = %v", c.Inputs.Requests[0].Freshness)
	}
	if c.Engine != "duckdb" || c.Timezone != "America/Los_Angeles" || !c.Policy.ApplyPending || c.Policy.SLABusinessDays != 15 ||
		c.Policy.RetentionMonths != 24 || c.Policy.MaxQuarantineRatio != 0.01 || c.Policy.MaxInvalidKeyRatio != 0.9 || c.Inputs.Requests[0].Format != "canonical" {
		t.Errorf("defaults not applied: %+v", c)
	}
}

// TestEnvValuesStayOneValue: a variable's text is pasted into the YAML,
// so a value that would change the file's structure is refused, naming
// the variable (never its value); a plain one is taken.
func TestEnvValuesStayOneValue(t *testing.T) {
	for _, c := range []struct{ value, want string }{
		{"/data/out # nightly", "holds one of #"},
		{"/data/out\nengine: bigquery", "line break"},
		{"", "is empty"},
		{" /srv", "blank"},
		{`/srv", x: "y`, "holds one of #"},
		{"/srv/{a,b}", "holds one of #"},
		{"/srv: x", `holds ": "`},
		{"&anchor", "begins with one of"},
	} {
		t.Setenv("OPTOUT_TEST_DIR", c.value)
		_, err := Load(write(t, minimal))
		if err == nil || !strings.Contains(err.Error(), "OPTOUT_TEST_DIR") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("OPTOUT_TEST_DIR=%q: %v, want an error naming the variable and %q", c.value, err, c.want)
		} else if c.value != "" && strings.Contains(err.Error(), c.value) {
			t.Errorf("the error quotes the value: %v", err)
		}
	}
	t.Setenv("OPTOUT_TEST_DIR", "/srv/data-2026_v1.0+x@y")
	if c, err := Load(write(t, minimal)); err != nil || c.Inputs.Customers.Path != "/srv/data-2026_v1.0+x@y/customers" {
		t.Errorf("a plain value: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	t.Setenv("OPTOUT_TEST_DIR", "/srv")
	cases := []struct{ name, body, want string }{
		{"unknown key names key and line", minimal + "polcy:\n  apply_pending: false\n", `line 7: unknown key "polcy"`},
		{"misspelled nested key", strings.Replace(minimal, "freshness", "freshnes", 1), `unknown key "freshnes"`},
		{"unset env var", strings.Replace(minimal, "OPTOUT_TEST_DIR", "OPTOUT_SURELY_UNSET_VAR", 1), "OPTOUT_SURELY_UNSET_VAR"},
		{"bad engine", minimal + "engine: spark\n", `engine is "spark"; allowed: duckdb, bigquery`},
		{"bigquery without dataset", minimal + "engine: bigquery\nbigquery: {project: p}\n", "engine bigquery needs bigquery.project"},
		{"bigquery with a file input", minimal + "engine: bigquery\nbigquery: {project: p, dataset: d}\n", "engine bigquery reads tables: give table:"},
		{"gcs_uri on duckdb", minimal + "exports:\n  - {name: ga, path: x, category: advertising, identifiers: {email: e}, gcs_uri: 'gs://b/ga/part-*.csv'}\n", "gcs_uri needs engine bigquery"},
		{"gcs_uri with a quote", bqExport("gs://b/ga'/part-*.csv"), "letters, digits and . _ = / - only"},
		{"gcs_uri without a wildcard", bqExport("gs://b/ga/part.csv"), "exactly one * in its file name"},
		{"gcs_uri wildcard in a folder", bqExport("gs://b/*/part.csv"), "exactly one * in its file name"},
		{"gcs_uri two wildcards", bqExport("gs://b/ga/*-*.csv"), "exactly one * in its file name"},
		{"gcs_uri unknown placeholder", bqExport("gs://b/{date}/part-*.csv"), "{dt} is the only placeholder"},
		{"bad timezone", minimal + "timezone: Mars/Olympus\n", "not an IANA time zone"},
		{"retention below 24 months", minimal + "policy: {retention_months: 12}\n", "retention_months is 12; the law requires at least 24"},
		// A code that is no state was accepted and never matched: its
		// requests got the general deadline.
		{"state that is no state", minimal + "policy: {state_sla_business_days: {CO: 10, CX: 10}}\n", `state_sla_business_days: key "CX" is not a US state code`},
		{"state in lower case", minimal + "policy: {state_sla_business_days: {co: 10}}\n", `key "co" is not a US state code`},
		// The decoder dropped a null list item: the export or request
		// source was silently not there.
		{"empty export item", minimal + "exports:\n  - {name: ga, path: x, category: advertising, identifiers: {email: e}}\n  -\n", "line 9: an empty list item"},
		{"null request source", strings.Replace(minimal, "freshness: 2d}", "freshness: 2d}\n    - ~", 1), "line 6: an empty list item"},
		{"null holiday", minimal + "policy: {holidays: [2026-12-24, null]}\n", "line 7: an empty list item"},
		{"bad gpc category", minimal + "policy: {gpc_categories: [sports]}\n", `gpc_categories: "sports" is not a category`},
		{"ratio out of range", minimal + "policy: {max_quarantine_ratio: 2}\n", "between 0 and 1"},
		{"invalid key ratio out of range", minimal + "policy: {max_invalid_key_ratio: -0.1}\n", "max_invalid_key_ratio is -0.1"},
		// NaN compares false with every limit: it turned the checks off.
		{"ratio not a number", minimal + "policy: {max_quarantine_ratio: .nan}\n", "max_quarantine_ratio is NaN; it must be between 0 and 1"},
		{"invalid key ratio not a number", minimal + "policy: {max_invalid_key_ratio: .NaN}\n", "max_invalid_key_ratio is NaN"},
		{"timezone Local", minimal + "timezone: Local\n", `timezone "Local" is not an IANA time zone`},
		{"retention of -1 written", minimal + "policy: {retention_months: -1}\n", "retention_months is -1; the law requires at least 24"},
		{"retention beyond a century", minimal + "policy: {retention_months: 100000000}\n", "retention_months is 100000000; at most 1200"},
		{"no request source", "output: out\ninputs:\n  customers: {path: c}\n", "at least one request source"},
		{"reserved name", strings.Replace(minimal, "name: web", "name: customers", 1), "reserved"},
		{"table without database", strings.Replace(minimal, "path: data/requests.parquet", "table: requests", 1), "needs duckdb.database"},
		{"bad freshness", strings.Replace(minimal, "2d", "two days", 1), `"two days" is not a duration`},
		// A zero turned the check off, with exit 0.
		{"zero freshness", strings.Replace(minimal, "2d", "0s", 1), "freshness is 0, which no source can meet"},
		{"zero freshness in days", strings.Replace(minimal, "2d", "0d", 1), "freshness is 0, which no source can meet"},
		{"freshness on customers, zero", strings.Replace(minimal, "customers: {path: ${OPTOUT_TEST_DIR}/customers}", "customers: {path: ${OPTOUT_TEST_DIR}/customers, freshness: 0h}", 1), "inputs.customers: freshness applies only to request sources"},
		{"bad export", minimal + "exports:\n  - {name: ga, path: x, destination: myspace, category: advertising, identifiers: {email: e}}\n", `destination is "myspace"`},
		{"bad export category", minimal + "exports:\n  - {name: ga, path: x, category: sale, identifiers: {email: e}}\n", `exports[0] (ga): category is "sale"`},
		{"bad export mode", minimal + "exports:\n  - {name: ga, path: x, category: advertising, mode: exclude, identifiers: {email: e}}\n", `exports[0] (ga): mode is "exclude"`},
		{"bad export format", minimal + "exports:\n  - {name: ga, path: x, category: advertising, format: xlsx, identifiers: {email: e}}\n", `exports[0] (ga): format is "xlsx"`},
		{"bad export channel", minimal + "exports:\n  - {name: ga, path: x, category: advertising, channel: pigeon, identifiers: {email: e}}\n", `exports[0] (ga): channel is "pigeon"`},
		{"export without identifiers", minimal + "exports:\n  - {name: ga, path: x, category: advertising}\n", `exports[0] (ga)`},
		{"duplicate export names", minimal + "exports:\n  - {name: ga, path: x, category: advertising, identifiers: {email: e}}\n  - {name: ga, path: y, category: analytics, identifiers: {email: e}}\n", `"ga"`},
		{"bad export kind", minimal + "exports:\n  - {name: ga, path: x, category: advertising, identifiers: {fax: f}}\n", `identifiers key is "fax"`},
		{"file mode not octal", minimal + "output_file_mode: \"0680\"\n", `line 7: output_file_mode "0680" is not an octal permission mode`},
		{"file mode words", minimal + "output_file_mode: rw-------\n", `output_file_mode "rw-------" is not an octal`},
		{"file mode beyond permissions", minimal + "output_file_mode: \"4600\"\n", `output_file_mode "4600" is not an octal`},
		{"file mode owner cannot read", minimal + "output_file_mode: \"0200\"\n", `output_file_mode "0200" must let the owner read and write`},
		{"file mode owner cannot write", minimal + "output_file_mode: \"0444\"\n", `must let the owner read and write`},
		{"file mode executable", minimal + "output_file_mode: \"0700\"\n", `output_file_mode "0700" has an execute bit`},
		{"hashed export column of two kinds", minimal + "exports:\n  - {name: ga, path: x, destination: meta, category: advertising, hash_identifiers: true, identifiers: {email: Contact, phone: contact}}\n",
			`exports[0] (ga): identifiers: column "contact" is mapped to both email and phone`},
		// A publish replaces whole folders under the output: an input read
		// from there was deleted by the run that read it (exit 0).
		{"output holds an export", strings.Replace(minimal, "output: out", "output: data", 1) + "exports:\n  - {name: ga, path: data/exports/ga/**/*.parquet, category: advertising, identifiers: {email: e}}\n",
			"exports[0] (ga): path " + "%DIR%/data/exports/ga/**/*.parquet overlaps output %DIR%/data"},
		{"output holds a request file", strings.Replace(minimal, "output: out", "output: data", 1), "inputs.requests[0] (web): path %DIR%/data/requests.parquet overlaps output"},
		{"output is an input's folder", strings.Replace(minimal, "output: out", "output: /srv/customers", 1), "inputs.customers: path /srv/customers overlaps output"},
		{"output inside an input's folder", strings.Replace(minimal, "output: out", "output: /srv/customers/optout", 1), "inputs.customers: path /srv/customers overlaps output"},
		{"input globbed from above the output", strings.Replace(minimal, "data/requests.parquet", "'*/requests.parquet'", 1), "inputs.requests[0] (web): path %DIR%/*/requests.parquet overlaps output"},
		// A name is a folder and part of table names: 300 characters
		// failed at mkdir (exit 1).
		{"export name too long", minimal + "exports:\n  - {name: " + strings.Repeat("a", 65) + ", path: x, category: advertising, identifiers: {email: e}}\n", "at most 64"},
		{"request source name too long", strings.Replace(minimal, "name: web", "name: "+strings.Repeat("w", 65), 1), "at most 64"},
		// A second document's settings were ignored.
		{"two documents", minimal + "---\npolicy: {apply_pending: false}\n", "more than one YAML document"},
		{"formula guard on parquet", minimal + "exports:\n  - {name: ga, path: x, category: advertising, identifiers: {email: e}, csv_formula_guard: false}\n", `exports[0] (ga): csv_formula_guard applies only to format csv`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := write(t, c.body)
			_, err := Load(p)
			if err == nil {
				t.Fatal("no error")
			}
			if exit.Code(err) != exit.Usage {
				t.Errorf("exit code %d, want 2", exit.Code(err))
			}
			if want := strings.ReplaceAll(c.want, "%DIR%", filepath.Dir(p)); !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks %q", err, want)
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing file: %v", err)
	}
}

// output_file_mode is read as octal, quoted or not (YAML alone would read
// 0640 as the decimal 640 or the octal 416 depending on its version); folders
// get an x bit for each r bit.
func TestOutputFileMode(t *testing.T) {
	t.Setenv("OPTOUT_TEST_DIR", "/srv")
	for _, c := range []struct {
		line       string
		file, dirs os.FileMode
	}{
		{"", 0o600, 0o700},
		{"output_file_mode: \"0600\"\n", 0o600, 0o700},
		{"output_file_mode: 0640\n", 0o640, 0o750},
		{"output_file_mode: \"644\"\n", 0o644, 0o755},
		{"output_file_mode: 0o660\n", 0o660, 0o770},
	} {
		cfg, err := Load(write(t, minimal+c.line))
		if err != nil {
			t.Fatalf("%q: %v", c.line, err)
		}
		if got := cfg.OutputFileMode; got.FileMode != c.file || got.FolderMode() != c.dirs {
			t.Errorf("%q: files %o, folders %o; want %o, %o", c.line, got.FileMode, got.FolderMode(), c.file, c.dirs)
		}
	}
}

// csv_formula_guard defaults to true for CSV exports; Parquet has no cells
// a spreadsheet runs.
func TestFormulaGuard(t *testing.T) {
	t.Setenv("OPTOUT_TEST_DIR", "/srv")
	cfg, err := Load(write(t, minimal+`exports:
  - {name: a, path: x, category: advertising, identifiers: {email: e}, format: csv}
  - {name: b, path: x, category: advertising, identifiers: {email: e}, format: csv, csv_formula_guard: false}
  - {name: c, path: x, category: advertising, identifiers: {email: e}, format: csv, csv_formula_guard: true}
  - {name: d, path: x, category: advertising, identifiers: {email: e}}
`))
	if err != nil {
		t.Fatal(err)
	}
	var got []bool
	for _, e := range cfg.Exports {
		got = append(got, e.FormulaGuard())
	}
	if want := []bool{true, false, true, false}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("guards %v, want %v", got, want)
	}
}

// bqExport is a valid BigQuery config with one export whose gcs_uri is uri.
func bqExport(uri string) string {
	tables := strings.Replace(strings.Replace(minimal, "path: data/requests.parquet", "table: p.d.requests", 1), "customers: {path: ${OPTOUT_TEST_DIR}/customers}", "customers: {table: p.d.c}", 1)
	return tables + "engine: bigquery\nbigquery: {project: p, dataset: d}\n" +
		"exports:\n  - {name: ga, table: p.d.ga, category: advertising, identifiers: {email: e}, gcs_uri: \"" + uri + "\"}\n"
}

// A plain export may read one column as two kinds (a contact column of
// emails and phones); only a hashed one must not.
func TestPlainExportColumnOfTwoKindsAccepted(t *testing.T) {
	t.Setenv("OPTOUT_TEST_DIR", "/srv")
	if _, err := Load(write(t, minimal+"exports:\n  - {name: ga, path: x, category: advertising, identifiers: {email: contact, phone: contact}}\n")); err != nil {
		t.Fatal(err)
	}
}

// DC and the territories have state codes too.
func TestStateSLAOfDCAndTerritoriesAccepted(t *testing.T) {
	t.Setenv("OPTOUT_TEST_DIR", "/srv")
	c, err := Load(write(t, minimal+"policy: {state_sla_business_days: {CO: 10, DC: 5, PR: 3, VI: 4}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Policy.StateSLABusinessDays["PR"]; got != 3 {
		t.Errorf("PR's deadline is %d, want 3", got)
	}
}

// write_back on a BigQuery table input is accepted (the engine adds the
// flag columns and updates the changed rows).
func TestBigQueryWriteBackAccepted(t *testing.T) {
	t.Setenv("OPTOUT_TEST_DIR", "/srv")
	body := strings.Replace(bqExport("gs://b/ga/part-*.csv"), "customers: {table: p.d.c}", "customers: {table: p.d.c, write_back: true}", 1)
	c, err := Load(write(t, body))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Inputs.Customers.WriteBack {
		t.Error("write_back lost")
	}
}

func TestGCSURIAccepted(t *testing.T) {
	t.Setenv("OPTOUT_TEST_DIR", "/srv")
	c, err := Load(write(t, bqExport("gs://my-bucket/audiences/ga/dt={dt}/part-*.parquet")))
	if err != nil {
		t.Fatal(err)
	}
	if c.Exports[0].GCSURI != "gs://my-bucket/audiences/ga/dt={dt}/part-*.parquet" {
		t.Errorf("gcs_uri %q", c.Exports[0].GCSURI)
	}
}

// An output beside the inputs, or inside a folder an input's pattern
// cannot walk into, is its own folder: accepted. One reached through a
// symbolic link into an input's folder is not.
func TestOutputApartFromInputs(t *testing.T) {
	t.Setenv("OPTOUT_TEST_DIR", "/srv")
	for _, c := range []struct{ name, body string }{
		{"files beside the output", strings.Replace(minimal, "data/requests.parquet", "'requests_*.parquet'", 1)},
		{"output below a one-level pattern", strings.Replace(strings.Replace(minimal, "data/requests.parquet", "'data/*.parquet'", 1), "output: out", "output: data/out", 1)},
		{"output beside a deeper pattern", strings.Replace(strings.Replace(minimal, "data/requests.parquet", "'data/*/web.parquet'", 1), "output: out", "output: data/out.d/x", 1)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Load(write(t, c.body)); err != nil {
				t.Errorf("refused: %v", err)
			}
		})
	}
	for _, c := range []struct{ name, path, output string }{
		{"a pattern that walks into the output", "'data/*/web.parquet'", "data/out"},
		{"a recursive pattern", "'data/**/*.parquet'", "data/out"},
		// The files are listed with doublestar, which expands {a,b}.
		{"a brace pattern", "'data/{x,out}/exports/*/*.parquet'", "data/out"},
	} {
		t.Run(c.name, func(t *testing.T) {
			body := strings.Replace(strings.Replace(minimal, "data/requests.parquet", c.path, 1), "output: out", "output: "+c.output, 1)
			if _, err := Load(write(t, body)); err == nil || !strings.Contains(err.Error(), "overlaps output") {
				t.Errorf("accepted: %v", err)
			}
		})
	}
	t.Run("an output linked into an input folder", func(t *testing.T) {
		p := write(t, strings.Replace(minimal, "output: out", "output: link/out", 1))
		dir := filepath.Dir(p)
		if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(dir, "data"), filepath.Join(dir, "link")); err != nil {
			t.Fatal(err)
		}
		body := strings.Replace(strings.Replace(minimal, "output: out", "output: link/out", 1), "data/requests.parquet", "'data/**/*.parquet'", 1)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(p); err == nil || !strings.Contains(err.Error(), "overlaps output") {
			t.Errorf("accepted: %v", err)
		}
	})
}

// A file or folder optout writes outside its output may not be where an
// input reads: a lineage file named like an input file was appended to
// it, and one in an input's folder, or a spill folder there, is a file
// that input cannot read. One beside the inputs is accepted.
func TestWrittenFilesApartFromInputs(t *testing.T) {
	t.Setenv("OPTOUT_TEST_DIR", "/srv")
	with := func(extra string) string {
		return strings.Replace(minimal, "data/requests.parquet", "'data/**/*.parquet'", 1) + extra
	}
	for _, c := range []struct{ name, extra string }{
		{"lineage beside the inputs", "lineage: {file: lineage/events.jsonl}\n"},
		{"lineage by the inputs, not matched", "lineage: {file: data/events.jsonl}\n"},
		{"spill beside the inputs", "duckdb: {temp_directory: spill}\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Load(write(t, with(c.extra))); err != nil {
				t.Errorf("refused: %v", err)
			}
		})
	}
	for _, c := range []struct{ name, extra, want string }{
		{"lineage on an input file", "lineage: {file: /srv/customers}\n", "lineage.file"},
		{"lineage matched by a pattern", "lineage: {file: data/x/events.parquet}\n", "lineage.file"},
		{"spill in a folder a pattern reads", "duckdb: {temp_directory: data/spill}\n", "duckdb.temp_directory"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Load(write(t, with(c.extra))); err == nil || !strings.Contains(err.Error(), c.want+" ") || !strings.Contains(err.Error(), "is where") {
				t.Errorf("accepted or not named: %v", err)
			}
		})
	}
}

// TestOutputThatIsAFile: a file where the output folder goes is a config
// error (exit 2) naming it; it failed the run on its first write (exit 1).
func TestOutputThatIsAFile(t *testing.T) {
	t.Setenv("OPTOUT_TEST_DIR", "/srv")
	p := write(t, minimal)
	if err := os.WriteFile(filepath.Join(filepath.Dir(p), "out"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(p)
	if err == nil || !strings.Contains(err.Error(), "is a file, not a folder") || exit.Code(err) != exit.Usage {
		t.Errorf("output that is a file: %v (exit %d), want a config error", err, exit.Code(err))
	}
}
