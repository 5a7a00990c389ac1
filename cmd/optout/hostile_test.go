package main

import (
	"bytes"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/unicode/norm"
)

// TestHostileInputs runs every case of testdata/hostile (see its README):
// each case mutates a small hand-made data set (base.yaml) or a copy of
// the demo, runs the real optout binary once, and checks
//   - the exit code, and that nothing is printed that looks like a panic or
//     an email address or phone number;
//   - on any failing run, that nothing was published: the output holds the
//     outputs of a run of the unmutated inputs for the same date, and every
//     one of its files (runs/ and _optout/ aside) must be unchanged after
//     the run, with no file added;
//   - on success, the quarantine reasons and counts of every input, the
//     rows each export kept, any cells and SQL checks the case names, and
//     the leak oracle (leakOracle) over every export.
func TestHostileInputs(t *testing.T) {
	const root = "../../testdata/hostile"
	var base hostileCase
	readYAML(t, filepath.Join(root, "base.yaml"), &base)
	dirs, err := filepath.Glob(filepath.Join(root, "*", "case.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 45 {
		t.Fatalf("only %d hostile cases", len(dirs))
	}
	baselines := map[string]*baseline{"small": {}, "demo": {}}
	// Runs after every parallel case has finished.
	t.Cleanup(func() {
		for _, b := range baselines {
			if b.work != "" {
				os.RemoveAll(b.work)
			}
		}
	})
	for _, f := range dirs {
		dir := filepath.Dir(f)
		var c hostileCase
		readYAML(t, f, &c)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			runHostile(t, &base, &c, baselines)
		})
	}
}

// hostileCase is one case.yaml (or base.yaml); see testdata/hostile/README.md.
type hostileCase struct {
	What          string                `yaml:"what"`
	Base          string                `yaml:"base"`
	Config        string                `yaml:"config"`
	ConfigReplace [][2]string           `yaml:"config_replace"`
	Tables        map[string]tableSpec  `yaml:"tables"`
	SQL           string                `yaml:"sql"`
	Write         []writeSpec           `yaml:"write"`
	Files         []fileOp              `yaml:"files"`
	Args          string                `yaml:"args"`
	Umask         string                `yaml:"umask"`
	Exit          int                   `yaml:"exit"`
	Stderr        []string              `yaml:"stderr"`
	Secrets       []string              `yaml:"secrets"`
	Quarantine    map[string]quarantine `yaml:"quarantine"`
	OptedOut      *[]person             `yaml:"opted_out"`
	AlsoOptedOut  []person              `yaml:"also_opted_out"`
	Kept          map[string]int        `yaml:"kept"`
	Cells         map[string]cellSpec   `yaml:"cells"`
	Checks        []checkSpec           `yaml:"checks"`
	Modes         bool                  `yaml:"modes"`
	// NewOutput runs the case on an empty output, as a first deployment,
	// instead of over the base's own run of the date.
	NewOutput bool `yaml:"new_output"`
}

type tableSpec struct {
	File string `yaml:"file"`
	SQL  string `yaml:"sql"`
}

type writeSpec struct {
	File string `yaml:"file"`
	SQL  string `yaml:"sql"`
}

// fileOp is a byte-level edit of a file, after every table is written.
type fileOp struct {
	Empty    string `yaml:"empty"` // make the file zero bytes long
	Text     string `yaml:"text"`  // write Content as the file
	Content  string `yaml:"content"`
	Remove   string `yaml:"remove"`   // delete the file
	Truncate string `yaml:"truncate"` // keep the first Keep bytes, or drop the last Drop
	Keep     int    `yaml:"keep"`
	Drop     int    `yaml:"drop"`
	Corrupt  string `yaml:"corrupt"` // invert Bytes bytes from Offset (negative: from the end)
	Offset   int    `yaml:"offset"`
	Bytes    int    `yaml:"bytes"`
	Patch    string `yaml:"patch"` // replace every Find with the bytes Hex (same length)
	Find     string `yaml:"find"`
	Hex      string `yaml:"hex"`
}

type quarantine map[string]int // reason → rows

type person struct {
	Who        string   `yaml:"who"`
	Keys       []string `yaml:"keys"`
	Categories []string `yaml:"categories"`
}

type cellSpec map[string][]string // column → values that must be among the kept rows' cells

type checkSpec struct {
	What string `yaml:"what"`
	SQL  string `yaml:"sql"`
	Want string `yaml:"want"`
}

func readYAML(t *testing.T, file string, v any) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

const (
	hostileDate = "2026-11-21"
	hostileArgs = "--date 2026-11-21 --now 2026-11-22T12:00:00Z"
)

// baseline is the output folder of a run of a base's unmutated inputs,
// made once and copied into each case's work folder before its run.
type baseline struct {
	once      sync.Once
	work, out string
	err       error
}

func (b *baseline) get(t *testing.T, base *hostileCase, kind string) string {
	b.once.Do(func() {
		work, err := os.MkdirTemp("", "optout-hostile-baseline")
		if err != nil {
			b.err = err
			return
		}
		b.work = work
		unmutated := &hostileCase{Base: kind}
		cfg, err := prepareHostile(work, base, unmutated)
		if err != nil {
			b.err = err
			return
		}
		code, _, stderr, err := execOptout("", append([]string{"run", "--config", cfg}, strings.Fields(hostileArgs)...))
		if err == nil && code != 0 {
			err = fmt.Errorf("baseline run of %s: exit %d\n%s", kind, code, maskIdentifiers(stderr))
		}
		b.out, b.err = filepath.Join(work, "out"), err
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.out
}

func runHostile(t *testing.T, base, c *hostileCase, baselines map[string]*baseline) {
	kind := c.Base
	if kind == "" {
		kind = "small"
	}
	if baselines[kind] == nil {
		t.Fatalf("unknown base %q", c.Base)
	}
	if strings.TrimSpace(c.What) == "" {
		t.Fatal("the case does not say what it tests (what:)")
	}
	if kind == "demo" && c.Exit == 0 {
		t.Fatal("a demo case must fail: the leak oracle knows who is opted out only in the small base")
	}
	// Not t.TempDir: its name holds the case's, which the stderr checks
	// would find in every path optout prints.
	work, err := os.MkdirTemp("", "hostile")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(work) })
	cfg, err := prepareHostile(work, base, c)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(work, "out")
	if c.NewOutput {
		err = os.Mkdir(out, 0o700)
	} else {
		err = os.CopyFS(out, os.DirFS(baselines[kind].get(t, base, kind)))
	}
	if err != nil {
		t.Fatal(err)
	}
	before := digest(t, out)

	args := c.Args
	if args == "" {
		args = hostileArgs
	}
	code, stdout, stderr, err := execOptout(c.Umask, append([]string{"run", "--config", cfg}, strings.Fields(args)...))
	if err != nil {
		t.Fatal(err)
	}
	shown := maskIdentifiers(stderr)
	if code != c.Exit {
		t.Errorf("exit code %d, want %d\nstderr:\n%s", code, c.Exit, shown)
	}
	checkPrinted(t, c, stdout, stderr, code)
	for _, want := range c.Stderr {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, shown)
		}
	}
	if code != 0 {
		// Nothing published: the earlier outputs of D are exactly as they were.
		assertSame(t, "after the failing run", digest(t, out), before)
		return
	}
	if c.Exit != 0 {
		return // the exit code was already reported; the checks below assume success
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkQuarantine(t, db, out, c.Quarantine)
	exports := configExports(t, cfg)
	kept := map[string][]map[string]*string{}
	for _, e := range exports {
		kept[e.Name] = readExport(t, db, out, e)
	}
	wantKept := base.Kept
	if c.Kept != nil {
		wantKept = c.Kept
	}
	for name, n := range wantKept {
		if got := len(kept[name]); got != n {
			t.Errorf("export %s kept %d rows, want %d", name, got, n)
		}
	}
	truth := base.OptedOut
	if c.OptedOut != nil {
		truth = c.OptedOut
	}
	people := append(append([]person{}, *truth...), c.AlsoOptedOut...)
	leakOracle(t, exports, kept, people)
	checkFlagged(t, db, out, people)
	checkCells(t, kept, c.Cells)
	for _, ch := range c.Checks {
		var got string
		q := strings.ReplaceAll(ch.SQL, "${OUT}", out)
		if err := db.QueryRow(q).Scan(&got); err != nil {
			t.Errorf("check %q: %v", ch.What, err)
		} else if got != ch.Want {
			t.Errorf("check %q: got %s, want %s", ch.What, maskIdentifiers(strconv.Quote(got)), maskIdentifiers(strconv.Quote(ch.Want)))
		}
	}
	if c.Modes {
		checkModes(t, out)
	}
}

// prepareHostile writes a case's config and inputs into work and returns
// the config's path.
func prepareHostile(work string, base, c *hostileCase) (string, error) {
	tables := map[string]tableSpec{}
	var conf string
	if c.Base == "demo" {
		if err := os.CopyFS(filepath.Join(work, "data"), os.DirFS("../../testdata/demo/data")); err != nil {
			return "", err
		}
		y, err := os.ReadFile("../../testdata/demo/optout.yaml")
		if err != nil {
			return "", err
		}
		conf = strings.Replace(string(y), "output: ../../out/demo", "output: out", 1)
	} else {
		conf = base.Config
		for name, tb := range base.Tables {
			tables[name] = tb
		}
	}
	for name, tb := range c.Tables {
		tables[name] = tb
	}
	if c.Config != "" {
		conf = c.Config
	}
	for _, r := range c.ConfigReplace {
		if strings.Count(conf, r[0]) != 1 {
			return "", fmt.Errorf("config_replace: %q is not in the config exactly once", r[0])
		}
		conf = strings.Replace(conf, r[0], r[1], 1)
	}
	cfg := filepath.Join(work, "optout.yaml")
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		return "", err
	}

	db, err := sql.Open("duckdb", "")
	if err != nil {
		return "", err
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // one connection: the tables below are its own
	run := func(q string) error {
		if _, err := db.Exec(q); err != nil {
			return fmt.Errorf("%w\n%s", err, q)
		}
		return nil
	}
	if err := run("SET TimeZone = 'UTC'"); err != nil {
		return "", err
	}
	names := make([]string, 0, len(tables))
	for name := range tables {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		tb := tables[name]
		from := tb.SQL
		if from == "" { // a file of the copied inputs
			from = "FROM read_parquet(" + quote(filepath.Join(work, tb.File)) + ")"
		}
		if err := run(fmt.Sprintf("CREATE TABLE %q AS %s", name, from)); err != nil {
			return "", err
		}
	}
	if strings.TrimSpace(c.SQL) != "" {
		if err := run(c.SQL); err != nil {
			return "", err
		}
	}
	writeParquet := func(file, from string) error {
		path := filepath.Join(work, file)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		// Written aside then renamed: a table may have been read from path.
		tmp := path + ".tmp"
		if err := run(fmt.Sprintf("COPY (%s) TO %s (FORMAT parquet, COMPRESSION uncompressed)", strings.TrimRight(strings.TrimSpace(from), ";"), quote(tmp))); err != nil {
			return err
		}
		return os.Rename(tmp, path)
	}
	for _, name := range names {
		if err := writeParquet(tables[name].File, fmt.Sprintf("FROM %q", name)); err != nil {
			return "", err
		}
	}
	for _, w := range c.Write {
		if err := writeParquet(w.File, w.SQL); err != nil {
			return "", err
		}
	}
	for _, op := range c.Files {
		if err := op.apply(work); err != nil {
			return "", err
		}
	}
	return cfg, nil
}

// quote is a DuckDB string literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func (op fileOp) apply(work string) error {
	p := func(rel string) string { return filepath.Join(work, rel) }
	edit := func(rel string, f func([]byte) ([]byte, error)) error {
		b, err := os.ReadFile(p(rel))
		if err != nil {
			return err
		}
		if b, err = f(b); err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		return os.WriteFile(p(rel), b, 0o644)
	}
	switch {
	case op.Empty != "":
		if err := os.MkdirAll(filepath.Dir(p(op.Empty)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p(op.Empty), nil, 0o644)
	case op.Text != "":
		return os.WriteFile(p(op.Text), []byte(op.Content), 0o644)
	case op.Remove != "":
		return os.Remove(p(op.Remove))
	case op.Truncate != "":
		return edit(op.Truncate, func(b []byte) ([]byte, error) {
			if op.Keep > 0 && op.Keep < len(b) {
				return b[:op.Keep], nil
			}
			if op.Drop > 0 && op.Drop < len(b) {
				return b[:len(b)-op.Drop], nil
			}
			return nil, fmt.Errorf("truncate: %d bytes, keep %d, drop %d", len(b), op.Keep, op.Drop)
		})
	case op.Corrupt != "":
		return edit(op.Corrupt, func(b []byte) ([]byte, error) {
			at := op.Offset
			if at < 0 {
				at += len(b)
			}
			if at < 0 || op.Bytes <= 0 || at+op.Bytes > len(b) {
				return nil, fmt.Errorf("corrupt: %d bytes, offset %d, %d bytes", len(b), op.Offset, op.Bytes)
			}
			for i := at; i < at+op.Bytes; i++ {
				b[i] ^= 0xff
			}
			return b, nil
		})
	case op.Patch != "":
		return edit(op.Patch, func(b []byte) ([]byte, error) {
			to, err := hex.DecodeString(op.Hex)
			if err != nil || len(to) != len(op.Find) || !bytes.Contains(b, []byte(op.Find)) {
				return nil, fmt.Errorf("patch: %q → %s: not found, or not the same length (%v)", op.Find, op.Hex, err)
			}
			return bytes.ReplaceAll(b, []byte(op.Find), to), nil
		})
	}
	return errors.New("file operation names no file")
}

// execOptout runs the shared binary, under umask when it is set.
func execOptout(umask string, args []string) (code int, stdout, stderr string, err error) {
	cmd := exec.Command(binary, args...)
	if umask != "" {
		cmd = exec.Command("sh", append([]string{"-c", `umask "$0" && exec "$@"`, umask, binary}, args...)...)
	}
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err = cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), so.String(), se.String(), nil
	}
	return 0, so.String(), se.String(), err
}

var (
	emailLike = regexp.MustCompile(`[^\s"'<>@,;:()\[\]]+@[^\s"'<>@,;:()\[\]]+\.[A-Za-z]{2,}`)
	phoneLike = regexp.MustCompile(`\(?\b\d{3}\)?[-. ]\d{3}[-. ]\d{4}\b|\+\d{10,15}\b`)
)

// maskIdentifiers hides anything that looks like an email or phone in
// text the test prints.
func maskIdentifiers(s string) string {
	return phoneLike.ReplaceAllString(emailLike.ReplaceAllString(s, "<email>"), "<phone>")
}

// checkPrinted: no panic, no identifier and none of the case's secrets in
// what optout printed, and the last stdout line is the JSON summary with
// the exit code.
func checkPrinted(t *testing.T, c *hostileCase, stdout, stderr string, code int) {
	t.Helper()
	all := stdout + stderr
	if strings.Contains(all, "panic:") || strings.Contains(all, "goroutine ") {
		t.Errorf("optout panicked:\n%s", maskIdentifiers(stderr))
	}
	if n := len(emailLike.FindAllString(all, -1)); n > 0 {
		t.Errorf("optout printed %d email-like values", n)
	}
	if n := len(phoneLike.FindAllString(all, -1)); n > 0 {
		t.Errorf("optout printed %d phone-like values", n)
	}
	for i, s := range c.Secrets {
		if strings.Contains(all, s) {
			t.Errorf("optout printed secret #%d of the case (%d bytes)", i+1, len(s))
		}
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	var sum struct {
		ExitCode *int `json:"exit_code"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil || sum.ExitCode == nil || *sum.ExitCode != code {
		t.Errorf("the last stdout line is not a JSON summary with exit_code %d: %.200s", code, maskIdentifiers(lines[len(lines)-1]))
	}
}

// checkQuarantine compares the reasons and row counts of every
// quarantine/<input>/dt=D folder with the case's (none when it names none).
func checkQuarantine(t *testing.T, db *sql.DB, out string, want map[string]quarantine) {
	t.Helper()
	got := map[string]quarantine{}
	dirs, _ := filepath.Glob(filepath.Join(out, "quarantine", "*", "dt="+hostileDate))
	for _, d := range dirs {
		input := filepath.Base(filepath.Dir(d))
		rows, err := db.Query(`SELECT reason, count(*) FROM read_parquet(?, hive_partitioning = false) GROUP BY reason`, filepath.Join(d, "*.parquet"))
		if err != nil {
			t.Errorf("quarantine of %s: %v", input, err)
			continue
		}
		for rows.Next() {
			var reason string
			var n int
			if err := rows.Scan(&reason, &n); err != nil {
				t.Fatal(err)
			}
			if got[input] == nil {
				got[input] = quarantine{}
			}
			got[input][reason] = n
		}
		rows.Close()
	}
	if want == nil {
		want = map[string]quarantine{}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("quarantine (input: reason: rows)\n got %v\nwant %v", got, want)
	}
}

type hostileExport struct {
	Name        string            `yaml:"name"`
	Category    string            `yaml:"category"`
	Format      string            `yaml:"format"`
	Identifiers map[string]string `yaml:"identifiers"`
}

// configExports reads the exports of the config the case ran with.
func configExports(t *testing.T, cfg string) []hostileExport {
	t.Helper()
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Exports []hostileExport `yaml:"exports"`
	}
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c.Exports
}

// readExport returns the rows an export wrote for D, every cell as text
// (nil for null). A CSV is read with encoding/csv, not with optout's reader.
func readExport(t *testing.T, db *sql.DB, out string, e hostileExport) []map[string]*string {
	t.Helper()
	dir := filepath.Join(out, "exports", e.Name, "dt="+hostileDate)
	if _, err := os.Stat(filepath.Join(dir, "_SUCCESS")); err != nil {
		t.Errorf("export %s: no _SUCCESS for D", e.Name)
	}
	var rows []map[string]*string
	if e.Format == "csv" {
		files, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
		if len(files) == 0 {
			t.Errorf("export %s: no CSV file", e.Name)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
			if err != nil || len(recs) == 0 {
				t.Errorf("export %s: %s is not a CSV with a header: %v", e.Name, filepath.Base(f), err)
				continue
			}
			for _, r := range recs[1:] {
				row := map[string]*string{}
				for i, h := range recs[0] {
					v := r[i]
					row[strings.ToLower(h)] = &v
				}
				rows = append(rows, row)
			}
		}
		return rows
	}
	q := fmt.Sprintf(`SELECT * FROM read_parquet('%s', hive_partitioning = false)`, filepath.Join(dir, "*.parquet"))
	rs, err := db.Query(q)
	if err != nil {
		t.Errorf("export %s: %v", e.Name, err)
		return nil
	}
	defer rs.Close()
	cols, _ := rs.Columns()
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := map[string]*string{}
		for i, c := range cols {
			if vals[i] != nil {
				s := fmt.Sprint(vals[i])
				if b, ok := vals[i].([]byte); ok {
					s = string(b)
				}
				row[strings.ToLower(c)] = &s
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// leakOracle: no kept row of an export carries a key of a person the case
// says is opted out of the export's category.
//
// The oracle is independent of optout: who is opted out is written by hand
// in base.yaml and the case (each person with every key they have, already
// normalized), and the export cells are normalized here in plain Go. This
// normalization is deliberately wider than SPEC §4 (it also strips a CSV
// formula guard's leading ' and every Unicode space and format character
// around a value), so it can only find more matches than optout should:
// a kept row it matches is a person the destination would recognise.
func leakOracle(t *testing.T, exports []hostileExport, kept map[string][]map[string]*string, people []person) {
	t.Helper()
	for _, e := range exports {
		out := map[string]string{} // key → who, for this export's category
		for _, p := range people {
			for _, c := range p.Categories {
				if c == e.Category {
					for _, k := range p.Keys {
						out[k] = p.Who
					}
				}
			}
		}
		for i, row := range kept[e.Name] {
			for kind, col := range e.Identifiers {
				cell := row[strings.ToLower(col)]
				if cell == nil {
					continue
				}
				if who, ok := out[oracleKey(kind, *cell)]; ok {
					t.Errorf("LEAK: export %s kept row %d whose %s is that of %s, opted out of %s", e.Name, i+1, kind, who, e.Category)
				}
			}
		}
	}
}

// oracleKey normalizes a cell of an identifier column: the oracle's own
// reading of SPEC §4 and of docs/decisions.md's additions to it (the
// address of "Name <address>", invisible characters inside an email, NFC,
// phone extensions and "(0)", UUID device ids in any case), written
// without looking at optout's.
func oracleKey(kind, v string) string {
	if len(v) > 1 && v[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(v[1])) {
		v = v[1:]
	}
	invisible := func(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) }
	v = strings.TrimFunc(v, invisible)
	switch kind {
	case "email":
		v = strings.ToLower(norm.NFC.String(v))
		v = strings.Map(func(r rune) rune {
			if unicode.Is(unicode.Cf, r) {
				return -1
			}
			return r
		}, v)
		if m := angleAddress.FindStringSubmatch(v); m != nil {
			v = m[1]
		}
		v = strings.TrimFunc(strings.TrimPrefix(strings.TrimFunc(v, invisible), "mailto:"), invisible)
		local, domain, ok := strings.Cut(v, "@")
		if ok && (domain == "gmail.com" || domain == "googlemail.com") {
			local, _, _ = strings.Cut(strings.ReplaceAll(local, ".", ""), "+")
			v = local + "@gmail.com"
		}
		return "email:" + v
	case "phone":
		if strings.HasPrefix(v, "+") {
			v = strings.ReplaceAll(v, "(0)", "")
		}
		v = phoneExtension.ReplaceAllString(v, "")
		var d strings.Builder
		for _, r := range v {
			if r >= '0' && r <= '9' {
				d.WriteRune(r)
			}
		}
		digits := d.String()
		if len(digits) == 10 && !strings.HasPrefix(v, "+") {
			digits = "1" + digits
		}
		return "phone:+" + digits
	case "device_id":
		if len(v) == 36 && strings.Count(v, "-") == 4 {
			v = strings.ToLower(v)
		}
	}
	return kind + ":" + v
}

var (
	angleAddress   = regexp.MustCompile(`<([^<>]*)>$`)
	phoneExtension = regexp.MustCompile(`(?i)\s*(ext\.?|extension|x|#|;ext=)\s*[0-9]+$`)
)

// checkFlagged: the customers flagged ccpa_opt_out are exactly the
// customers the case says are opted out of some sale category. A failure
// names the people by the case's names, and counts the others.
func checkFlagged(t *testing.T, db *sql.DB, out string, people []person) {
	t.Helper()
	want := map[string]string{} // customer_id → who
	for _, p := range people {
		for _, k := range p.Keys {
			if id, ok := strings.CutPrefix(k, "customer_id:"); ok && len(p.Categories) > 0 {
				want[id] = p.Who
			}
		}
	}
	rows, err := db.Query(`SELECT customer_id::VARCHAR FROM read_parquet(?, hive_partitioning = false) WHERE ccpa_opt_out`,
		filepath.Join(out, "customers_flagged", "dt="+hostileDate, "*.parquet"))
	if err != nil {
		t.Errorf("customers_flagged: %v", err)
		return
	}
	defer rows.Close()
	got := map[string]bool{}
	unexpected := 0
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		id = strings.TrimSpace(id)
		got[id] = true
		if _, ok := want[id]; !ok {
			unexpected++
		}
	}
	var missing []string
	for id, who := range want {
		if !got[id] {
			missing = append(missing, who)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 || unexpected > 0 {
		t.Errorf("customers flagged ccpa_opt_out: not flagged %v; %d flagged who are not opted out", missing, unexpected)
	}
}

func checkCells(t *testing.T, kept map[string][]map[string]*string, cells map[string]cellSpec) {
	t.Helper()
	for export, cols := range cells {
		for col, values := range cols {
			have := map[string]bool{}
			for _, row := range kept[export] {
				if v := row[strings.ToLower(col)]; v != nil {
					have[*v] = true
				}
			}
			for _, v := range values {
				if !have[v] {
					t.Errorf("export %s: no kept row has %s = %s", export, col, maskIdentifiers(strconv.Quote(v)))
				}
			}
		}
	}
}

// personalOutputs are the per-date outputs that hold personal data
// (identifiers, hashed identifiers, a person's rows or requests); SPEC §7
// Private asks output_file_mode of these.
var personalOutputs = []string{"customers_flagged", "optout_state", "flag_changes", "exports", "suppression", "quarantine", "third_party_notifications"}

// checkModes: every file of a personal-data output folder of D is 0600 and
// every such folder 0700 (the default output_file_mode), whatever the
// umask the run had. The _SUCCESS marker holds only a time.
func checkModes(t *testing.T, out string) {
	t.Helper()
	checked := 0
	for _, table := range personalOutputs {
		dirs, _ := filepath.Glob(filepath.Join(out, table, "dt="+hostileDate))
		more, _ := filepath.Glob(filepath.Join(out, table, "*", "dt="+hostileDate))
		for _, dir := range append(dirs, more...) {
			err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				info, err := d.Info()
				if err != nil {
					return err
				}
				want := fs.FileMode(0o600)
				if d.IsDir() {
					want = 0o700
				} else if d.Name() == "_SUCCESS" {
					return nil
				}
				checked++
				if info.Mode().Perm() != want {
					rel, _ := filepath.Rel(out, p)
					t.Errorf("%s: mode %v, want %v", rel, info.Mode().Perm(), want)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if checked < 10 {
		t.Errorf("checked the modes of only %d files and folders", checked)
	}
}
