package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/optout-dev/optout/schemas"
)

var (
	// At most 64 characters: a name is a folder and part of table names
	// (a 300-character export name failed at mkdir, exit 1).
	safeName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
)

// reservedInputNames name the quarantine folders of the fixed inputs.
var reservedInputNames = []string{"customers", "identity_links", "traffic"}

func oneOf(what, got string, allowed []string) error {
	if slices.Contains(allowed, got) {
		return nil
	}
	return fmt.Errorf("%s is %q; allowed: %s", what, got, strings.Join(allowed, ", "))
}

func (c *Config) validate() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	add(oneOf("engine", c.Engine, []string{"duckdb", "bigquery"}))
	if c.Engine == "bigquery" && (c.BigQuery.Project == "" || c.BigQuery.Dataset == "") {
		add(errors.New("engine bigquery needs bigquery.project (it runs and pays for the jobs) and bigquery.dataset (the outputs)"))
	}
	loc, err := time.LoadLocation(c.Timezone)
	// "Local" is Go's name for the machine's zone, which the engines do
	// not know: the run failed in its first step that used it.
	if err != nil || c.Timezone == "" || c.Timezone == "Local" {
		add(fmt.Errorf("timezone %q is not an IANA time zone name such as America/Los_Angeles", c.Timezone))
	}
	c.Location = loc
	if c.Engine == "duckdb" && c.Output == "" {
		add(errors.New("output is required: the folder the run writes its tables to"))
	}
	// A file where the output folder goes is a config mistake (exit 2),
	// not a run that fails on its first write (exit 1).
	if fi, err := os.Stat(c.Output); c.Output != "" && err == nil && !fi.IsDir() {
		add(fmt.Errorf("output %s is a file, not a folder: give the folder the run writes its tables to", c.Output))
	}
	if c.DuckDB.Threads < 0 {
		add(fmt.Errorf("duckdb.threads is %d; use 0 (all cores) or a positive number", c.DuckDB.Threads))
	}

	add(c.validateInputs())
	add(c.validateExports())
	add(c.validatePolicy())
	add(c.validateOutputApart())
	add(c.validateWrittenApart())
	return errors.Join(errs...)
}

// inputPaths are the path of every input read from files, the exports'
// too, each with the key that names it.
func (c *Config) inputPaths() (where, paths []string) {
	add := func(w, p string) {
		if p != "" {
			where, paths = append(where, w), append(paths, p)
		}
	}
	for i, in := range c.Inputs.Requests {
		add(fmt.Sprintf("inputs.requests[%d] (%s)", i, in.Name), in.Path)
	}
	for _, in := range []*Input{c.Inputs.Customers, c.Inputs.IdentityLinks, c.Inputs.Traffic} {
		if in != nil {
			add("inputs."+in.Name, in.Path)
		}
	}
	for i, x := range c.Exports {
		add(fmt.Sprintf("exports[%d] (%s)", i, x.Name), x.Path)
	}
	return where, paths
}

// validateWrittenApart refuses a file or folder optout writes outside its
// output where an input's path reads: a lineage.file named like the
// customers file had each run append its event to that Parquet file, and
// the runs failed from then on; the lineage file, or a spill folder, in
// an input's folder is a file that input cannot read.
func (c *Config) validateWrittenApart() error {
	type written struct {
		key, path string
		folder    bool
	}
	var ws []written
	if c.Lineage != nil && c.Lineage.File != "" {
		ws = append(ws, written{"lineage.file", c.Lineage.File, false})
	}
	if c.DuckDB.TempDirectory != "" {
		ws = append(ws, written{"duckdb.temp_directory", c.DuckDB.TempDirectory, true})
	}
	var errs []error
	where, paths := c.inputPaths()
	for _, w := range ws {
		for j, p := range paths {
			if reads(p, w.path, w.folder) {
				errs = append(errs, fmt.Errorf("%s %s is where %s reads (path %s): optout writes there, and would overwrite the input or put a file in it that the input cannot read; give it a place of its own", w.key, w.path, where[j], p))
			}
		}
	}
	return errors.Join(errs...)
}

// CheckDashboardPath refuses a place for the dashboard (optout report
// --out) where writing it would break what the runs or the operator
// depend on: the config file, a file an input's path reads, or any place
// under the output folder but its report/ folder. A dashboard written
// over an export's part file left HTML beside the export's _SUCCESS, and
// every later run failed reading it.
func (c *Config) CheckDashboardPath(path string) error {
	target := resolved(filepath.Clean(path))
	if c.File != "" && target == resolved(c.File) {
		return fmt.Errorf("--out %s is the config file: choose another file for the dashboard", path)
	}
	where, paths := c.inputPaths()
	for i, p := range paths {
		if reads(p, path, false) {
			return fmt.Errorf("--out %s is where %s reads (path %s): choose a file no input reads", path, where[i], p)
		}
	}
	if c.Output != "" {
		out := resolved(filepath.Clean(c.Output))
		if within(target, out) && !within(target, filepath.Join(out, "report")) {
			return fmt.Errorf("--out %s is inside output %s, whose folders optout publishes and replaces: put the dashboard under %s or outside the output", path, c.Output, filepath.Join(c.Output, "report"))
		}
	}
	return nil
}

// reads says whether input path pattern (a file, a folder read whole, or
// a glob with **) takes in file path, or, for a folder, files in it; their
// symbolic links followed.
func reads(pattern, path string, folder bool) bool {
	static, rest := splitPattern(pattern)
	root, target := resolved(static), resolved(filepath.Clean(path))
	if !within(target, root) {
		return false
	}
	if len(rest) == 0 {
		return true // the file itself, or a folder read whole
	}
	rel, _ := filepath.Rel(root, target)
	glob := strings.Join(rest, "/")
	p := filepath.ToSlash(rel)
	if folder {
		p += "/x.parquet" // a file that could come to be in it
	}
	ok, _ := doublestar.Match(glob, p)
	return ok
}

// validateOutputApart refuses an output folder that holds an input file
// or lies where an input's path reads (overlaps). A publish replaces whole
// folders under the output: an export read from
// output/exports/<name>/dt=D/ was deleted by the run that read it (exit
// 0), and an input reading the output would read the run's own files.
func (c *Config) validateOutputApart() error {
	if c.Output == "" {
		return nil
	}
	out := resolved(filepath.Clean(c.Output))
	var errs []error
	where, paths := c.inputPaths()
	for i, path := range paths {
		if overlaps(path, out) {
			errs = append(errs, fmt.Errorf("%s: path %s overlaps output %s: the output must be a folder of its own, neither where an input's path reads nor holding an input (a run replaces whole folders under it)", where[i], path, c.Output))
		}
	}
	return errors.Join(errs...)
}

// overlaps says whether the output folder out holds files of input
// pattern, or the pattern can read files under out: out within the
// pattern's folder counts only where the pattern's parts can walk into it
// (data/*.parquet reads nothing of data/out; data/**, data/*/x.parquet and
// a folder read whole do).
func overlaps(pattern, out string) bool {
	static, rest := splitPattern(pattern)
	root := resolved(static)
	if within(root, out) {
		return true
	}
	if !within(out, root) {
		return false
	}
	if len(rest) == 0 {
		return true // a folder, read whole
	}
	rel, _ := filepath.Rel(root, out)
	outParts := strings.Split(rel, string(filepath.Separator))
	for i, part := range rest {
		if i == len(outParts) || strings.Contains(part, "**") {
			return true // the pattern goes on below out
		}
		// doublestar, as the files are listed: it knows {a,b}.
		if ok, _ := doublestar.Match(part, outParts[i]); !ok {
			return false
		}
	}
	return false // the pattern stops at out itself, a folder, no file under it
}

// splitPattern splits a path pattern before its first component with a
// glob character: the folder (or file) every match lies in, and the parts
// below it.
func splitPattern(pattern string) (static string, rest []string) {
	clean := filepath.Clean(pattern)
	parts := strings.Split(clean, string(filepath.Separator))
	for i, part := range parts {
		if strings.ContainsAny(part, "*?[{") {
			static = strings.Join(parts[:i], string(filepath.Separator))
			if static == "" && filepath.IsAbs(clean) {
				static = string(filepath.Separator)
			}
			return static, parts[i:]
		}
	}
	return clean, nil
}

// resolved is path with the symbolic links of its longest existing
// prefix followed (the output need not exist yet).
func resolved(path string) string {
	rest := ""
	for p := path; ; p = filepath.Dir(p) {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(real, rest)
		}
		if filepath.Dir(p) == p {
			return path
		}
		rest = filepath.Join(filepath.Base(p), rest)
	}
}

// InOutput says whether file, its symbolic links followed, lies in the
// output folder: a link under an input's `**` into the output is what no
// pattern shows, so the run asks of every file it lists.
func (c *Config) InOutput(file string) bool {
	return c.Output != "" && within(resolved(filepath.Clean(file)), resolved(filepath.Clean(c.Output)))
}

// within says whether path is dir or lies under it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func (c *Config) validateSource(where string, in *Input) error {
	switch {
	case in.Path == "" && in.Table == "":
		return fmt.Errorf("%s: needs path (files) or table", where)
	case in.Path != "" && in.Table != "":
		return fmt.Errorf("%s: has both path and table; give one", where)
	case in.Path != "" && c.Engine == "bigquery":
		return fmt.Errorf("%s: engine bigquery reads tables: give table: project.dataset.table instead of path", where)
	case in.Table != "" && c.Engine == "duckdb" && c.DuckDB.Database == "":
		return fmt.Errorf("%s: table %q needs duckdb.database (the DuckDB file that holds it)", where, in.Table)
	}
	return nil
}

func (c *Config) validateInputs() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(c.Inputs.Requests) == 0 {
		add(errors.New("inputs.requests: at least one request source is required"))
	}
	seen := map[string]bool{}
	for i := range c.Inputs.Requests {
		in := &c.Inputs.Requests[i]
		where := fmt.Sprintf("inputs.requests[%d]", i)
		if in.Format == "" {
			in.Format = "canonical"
		}
		switch {
		case !safeName.MatchString(in.Name):
			add(fmt.Errorf("%s: name %q must be lowercase letters, digits, _ or -, at most 64 (it names the quarantine folder)", where, in.Name))
		case slices.Contains(reservedInputNames, in.Name):
			add(fmt.Errorf("%s: name %q is reserved for inputs.%s", where, in.Name, in.Name))
		case seen[in.Name]:
			add(fmt.Errorf("%s: name %q is used twice", where, in.Name))
		}
		seen[in.Name] = true
		add(c.validateSource(where+" ("+in.Name+")", in))
		add(oneOf(where+" ("+in.Name+"): format", in.Format, schemas.SourceFormats))
		// A zero was read as no freshness at all (found by a probe,
		// 2026-12-07): a check written down and silently off.
		if in.Freshness.Set && in.Freshness.Duration == 0 {
			add(fmt.Errorf("%s (%s): freshness is 0, which no source can meet; give how old its newest request may be (48h, 2d), or leave freshness out to check none", where, in.Name))
		}
		if in.WriteBack {
			add(fmt.Errorf("%s: write_back applies only to inputs.customers", where))
		}
	}
	if c.Inputs.Customers == nil {
		add(errors.New("inputs.customers is required"))
	}
	for name, in := range map[string]*Input{"customers": c.Inputs.Customers, "identity_links": c.Inputs.IdentityLinks, "traffic": c.Inputs.Traffic} {
		if in == nil {
			continue
		}
		where := "inputs." + name
		if in.Name != "" && in.Name != name {
			add(fmt.Errorf("%s: name must be omitted or %q", where, name))
		}
		in.Name = name
		add(c.validateSource(where, in))
		if in.Format != "" && in.Format != "canonical" {
			add(fmt.Errorf("%s: format %q applies only to request sources", where, in.Format))
		}
		in.Format = "canonical"
		if in.Freshness.Set {
			add(fmt.Errorf("%s: freshness applies only to request sources (they have received_at)", where))
		}
		if in.WriteBack && (name != "customers" || in.Table == "") {
			add(fmt.Errorf("%s: write_back needs a table input of customers", where))
		}
	}
	return errors.Join(errs...)
}

func (c *Config) validateExports() error {
	var errs []error
	seen := map[string]bool{}
	for i := range c.Exports {
		e := &c.Exports[i]
		where := fmt.Sprintf("exports[%d] (%s)", i, e.Name)
		add := func(err error) {
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", where, err))
			}
		}
		if e.Mode == "" {
			e.Mode = "exclude_opted_out"
		}
		if e.Format == "" {
			e.Format = "parquet"
		}
		if e.Destination == "" {
			e.Destination = "generic"
		}
		switch {
		case !safeName.MatchString(e.Name):
			add(fmt.Errorf("name %q must be lowercase letters, digits, _ or -, at most 64", e.Name))
		case seen[e.Name] || slices.Contains(reservedInputNames, e.Name):
			add(fmt.Errorf("name %q is already used", e.Name))
		}
		seen[e.Name] = true
		for _, r := range c.Inputs.Requests {
			if r.Name == e.Name {
				add(fmt.Errorf("name %q is also a request source's name; quarantine folders would collide", e.Name))
			}
		}
		add(c.validateSource("source", &Input{Path: e.Path, Table: e.Table}))
		add(oneOf("destination", e.Destination, schemas.Destinations))
		if !schemas.IsSaleCategory(e.Category) {
			add(fmt.Errorf("category is %q; allowed: %s", e.Category, strings.Join(schemas.SaleCategories, ", ")))
		}
		if e.Channel != "" && !schemas.IsCategory(schemas.ChannelCategory(e.Channel)) {
			add(fmt.Errorf("channel is %q; allowed: email, phone, sms, fax, direct-mail, apns", e.Channel))
		}
		add(oneOf("mode", e.Mode, schemas.ExportModes))
		add(oneOf("format", e.Format, schemas.ExportFormats))
		if e.CSVFormulaGuard != nil && e.Format != "csv" {
			add(fmt.Errorf("csv_formula_guard applies only to format csv (this export is %s)", e.Format))
		}
		add(c.validateGCSURI(e.GCSURI))
		if len(e.Identifiers) == 0 {
			add(errors.New("identifiers: map at least one identifier kind to a column"))
		}
		for kind, col := range e.Identifiers {
			add(oneOf("identifiers key", kind, schemas.IdentifierKinds))
			if strings.TrimSpace(col) == "" {
				add(fmt.Errorf("identifiers.%s: column name is empty", kind))
			}
		}
		if e.HashIdentifiers {
			add(oneKindPerColumn(e.Identifiers))
		}
	}
	return errors.Join(errs...)
}

// oneKindPerColumn refuses a column mapped to two identifier kinds in a
// hashed export: the written column holds one destination hash, and
// there is no saying whose (an email's or a phone's). Column names match
// case-insensitively, as the inputs' do.
func oneKindPerColumn(identifiers map[string]string) error {
	kinds := make([]string, 0, len(identifiers))
	for kind := range identifiers {
		kinds = append(kinds, kind)
	}
	slices.Sort(kinds)
	seen := map[string]string{}
	for _, kind := range kinds {
		col := strings.ToLower(strings.TrimSpace(identifiers[kind]))
		if other, ok := seen[col]; ok && col != "" {
			return fmt.Errorf("identifiers: column %q is mapped to both %s and %s; with hash_identifiers: true a column holds one kind's hash, so map each kind to a column of its own", identifiers[kind], other, kind)
		}
		seen[col] = kind
	}
	return nil
}

// gcsURI is the character set an export's gcs_uri may use: it goes into
// EXPORT DATA as a literal (its options take no parameters), so nothing
// that could end or escape one.
var gcsURI = regexp.MustCompile(`^gs://[a-z0-9][a-z0-9._-]*/[A-Za-z0-9._=/{}*-]+$`)

func (c *Config) validateGCSURI(uri string) error {
	switch {
	case uri == "":
		return nil
	case c.Engine != "bigquery":
		return errors.New("gcs_uri needs engine bigquery; on duckdb copy exports/<name>/dt=D/ once its _SUCCESS is there")
	case !gcsURI.MatchString(uri):
		return fmt.Errorf("gcs_uri %q must look like gs://bucket/path/part-*.csv: letters, digits and . _ = / - only, {dt} for the date", uri)
	case strings.Count(uri, "*") != 1 || strings.Contains(uri[strings.Index(uri, "*"):], "/"):
		return fmt.Errorf("gcs_uri %q needs exactly one * in its file name, which BigQuery replaces with the file number", uri)
	case strings.Count(strings.ReplaceAll(uri, "{dt}", ""), "{")+strings.Count(strings.ReplaceAll(uri, "{dt}", ""), "}") > 0:
		return fmt.Errorf("gcs_uri %q: {dt} is the only placeholder", uri)
	}
	return nil
}

func (c *Config) validatePolicy() error {
	p := &c.Policy
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf("policy."+format, a...)) }
	if len(p.GPCCategories) == 0 {
		add("gpc_categories is empty; use [all] or a list of categories")
	}
	for _, cat := range p.GPCCategories {
		if !schemas.IsCategory(cat) {
			add("gpc_categories: %q is not a category; allowed: all, %s, %s", cat, strings.Join(schemas.SaleCategories, ", "), strings.Join(schemas.ChannelCategories, ", "))
		}
	}
	if p.SLABusinessDays < 1 {
		add("sla_business_days is %d; it must be at least 1", p.SLABusinessDays)
	}
	if p.TargetBusinessDays < 1 {
		add("target_business_days is %d; it must be at least 1", p.TargetBusinessDays)
	}
	for st, n := range p.StateSLABusinessDays {
		if !usStates[st] {
			add("state_sla_business_days: key %q is not a US state code (two capital letters, such as CA or CO)", st)
		}
		if n < 1 {
			add("state_sla_business_days.%s is %d; it must be at least 1", st, n)
		}
	}
	for _, h := range p.Holidays {
		if _, err := time.Parse(time.DateOnly, h); err != nil {
			add("holidays: %q is not a YYYY-MM-DD date", h)
		}
	}
	if p.RetentionMonths < 24 {
		add("retention_months is %d; the law requires at least 24", p.RetentionMonths)
	} else if p.RetentionMonths > maxRetentionMonths {
		add("retention_months is %d; at most %d (a century): leave the key out to keep every request", p.RetentionMonths, maxRetentionMonths)
	}
	if p.SnapshotRetentionDays < 1 {
		add("snapshot_retention_days is %d; it must be at least 1", p.SnapshotRetentionDays)
	}
	if p.ExportRetentionDays < 1 {
		add("export_retention_days is %d; it must be at least 1", p.ExportRetentionDays)
	}
	// Written as "not between": a NaN (.nan in YAML) is neither below 0
	// nor above 1, and compares false with every limit: it turned the
	// checks off.
	if !(p.MaxQuarantineRatio >= 0 && p.MaxQuarantineRatio <= 1) {
		add("max_quarantine_ratio is %v; it must be between 0 and 1", p.MaxQuarantineRatio)
	}
	if !(p.MaxInvalidKeyRatio >= 0 && p.MaxInvalidKeyRatio <= 1) {
		add("max_invalid_key_ratio is %v; it must be between 0 and 1 (1 turns the check off)", p.MaxInvalidKeyRatio)
	}
	return errors.Join(errs...)
}

// AllInputs returns every configured input (request sources first).
func (c *Config) AllInputs() []*Input {
	var out []*Input
	for i := range c.Inputs.Requests {
		out = append(out, &c.Inputs.Requests[i])
	}
	for _, in := range []*Input{c.Inputs.Customers, c.Inputs.IdentityLinks, c.Inputs.Traffic} {
		if in != nil {
			out = append(out, in)
		}
	}
	return out
}

// usStates are the codes a request's or customer's state can match: the 50
// states, DC and the territories. A key outside them (a typo such as "CX")
// would be accepted and never match, and its requests would silently get
// the general deadline.
var usStates = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range strings.Fields(`AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO
		MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC AS GU MP PR VI`) {
		m[s] = true
	}
	return m
}()
