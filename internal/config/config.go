// Package config loads and validates the optout YAML configuration; docs/config.md describes every key.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/optout-dev/optout/internal/exit"
)

// Config is the whole configuration file.
type Config struct {
	Engine   string   `yaml:"engine"`
	Timezone string   `yaml:"timezone"`
	Output   string   `yaml:"output"`
	DuckDB   DuckDB   `yaml:"duckdb"`
	BigQuery BigQuery `yaml:"bigquery"`
	Inputs   Inputs   `yaml:"inputs"`
	Exports  []Export `yaml:"exports"`
	Policy   Policy   `yaml:"policy"`
	Lineage  *Lineage `yaml:"lineage"`

	// OutputFileMode is the mode of every file optout writes under Output
	// (SPEC §7 Private); its folders get the matching x bits (FolderMode).
	OutputFileMode FileMode `yaml:"output_file_mode"`

	// File is the absolute path of the config file; Location the loaded timezone.
	File     string         `yaml:"-"`
	Location *time.Location `yaml:"-"`
}

// DuckDB holds the embedded engine's settings.
type DuckDB struct {
	Database      string `yaml:"database"`
	MemoryLimit   string `yaml:"memory_limit"`
	TempDirectory string `yaml:"temp_directory"`
	Threads       int    `yaml:"threads"`
}

// BigQuery holds the warehouse engine's settings.
type BigQuery struct {
	Project        string `yaml:"project"`
	Dataset        string `yaml:"dataset"`
	Location       string `yaml:"location"`
	MaxBytesBilled int64  `yaml:"max_bytes_billed"`
	Endpoint       string `yaml:"endpoint"`
	// ReadCustomersInPlace: read the customers table twice where it is,
	// instead of copying it once, and fail the run when another job
	// changed it between the reads (docs/bigquery.md).
	ReadCustomersInPlace bool `yaml:"read_customers_in_place"`
	// ReadExportsInPlace: the same for every export table: read twice where
	// it is, each row written only as its own keys were decided
	// (docs/bigquery.md).
	ReadExportsInPlace bool `yaml:"read_exports_in_place"`
}

// Inputs lists every input of a run.
type Inputs struct {
	Requests      []Input `yaml:"requests"`
	Customers     *Input  `yaml:"customers"`
	IdentityLinks *Input  `yaml:"identity_links"`
	Traffic       *Input  `yaml:"traffic"`
}

// Input is one source: files under Path, or a warehouse Table.
type Input struct {
	Name      string   `yaml:"name"`
	Path      string   `yaml:"path"`
	Table     string   `yaml:"table"`
	Format    string   `yaml:"format"`
	Freshness Duration `yaml:"freshness"`
	WriteBack bool     `yaml:"write_back"`
}

// Export is one outbound data set to filter.
type Export struct {
	Name            string            `yaml:"name"`
	Path            string            `yaml:"path"`
	Table           string            `yaml:"table"`
	Destination     string            `yaml:"destination"`
	Category        string            `yaml:"category"`
	Channel         string            `yaml:"channel"`
	Mode            string            `yaml:"mode"`
	Identifiers     map[string]string `yaml:"identifiers"`
	Format          string            `yaml:"format"`
	HashIdentifiers bool              `yaml:"hash_identifiers"`
	// CSVFormulaGuard (csv only; unset is true): see FormulaGuard.
	CSVFormulaGuard *bool `yaml:"csv_formula_guard"`
	// GCSURI (engine bigquery): where the kept rows are also written with
	// EXPORT DATA after the leak check, e.g. gs://bucket/meta/{dt}/part-*.csv;
	// {dt} stands for the run's date, the one * for the file number.
	GCSURI string `yaml:"gcs_uri"`
}

// FormulaGuard reports whether the export's written text cells are guarded
// against spreadsheet formulas (SPEC §7 Safe CSV): CSV exports, unless
// csv_formula_guard is false.
func (e Export) FormulaGuard() bool {
	return e.Format == "csv" && (e.CSVFormulaGuard == nil || *e.CSVFormulaGuard)
}

// Lineage configures OpenLineage event output.
type Lineage struct {
	File string `yaml:"file"`
}

// Policy holds the enforcement and retention rules.
type Policy struct {
	ApplyPending         bool           `yaml:"apply_pending"`
	GPCCategories        []string       `yaml:"gpc_categories"`
	SLABusinessDays      int            `yaml:"sla_business_days"`
	StateSLABusinessDays map[string]int `yaml:"state_sla_business_days"`
	TargetBusinessDays   int            `yaml:"target_business_days"`
	Holidays             []string       `yaml:"holidays"`
	RetentionMonths      int            `yaml:"retention_months"`
	// RetentionSet says retention_months was written in the config: only
	// then are ledger rows older than it ever removed.
	RetentionSet          bool    `yaml:"-"`
	SnapshotRetentionDays int     `yaml:"snapshot_retention_days"`
	ExportRetentionDays   int     `yaml:"export_retention_days"`
	MaxQuarantineRatio    float64 `yaml:"max_quarantine_ratio"`
	// MaxInvalidKeyRatio: above this share of invalid values, in a file
	// with at least MinValuesForKeyRatio values in a key column, the
	// column is taken to be swapped or mistyped (SPEC §7).
	MaxInvalidKeyRatio float64 `yaml:"max_invalid_key_ratio"`
}

// MinValuesForKeyRatio is how many non-blank values a key column of a file
// needs before policy.max_invalid_key_ratio applies: below it a handful of
// bad rows are messy data, quarantined or counted, not a schema error.
const MinValuesForKeyRatio = 1000

// Duration is a YAML duration: Go syntax ("48h", "90m") or whole days ("2d").
type Duration struct {
	time.Duration
	Set bool // written in the config, zero included
}

// UnmarshalYAML parses "48h" or "2d".
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	s := strings.TrimSpace(n.Value)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var k int
		if _, err := fmt.Sscanf(days, "%d", &k); err == nil && k >= 0 && fmt.Sprint(k) == days {
			d.Duration, d.Set = time.Duration(k)*24*time.Hour, true
			return nil
		}
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return fmt.Errorf("line %d: %q is not a duration (use e.g. 48h or 2d)", n.Line, n.Value)
	}
	d.Duration, d.Set = v, true
	return nil
}

// FileMode is a permission mode written in octal ("0600", "640" or
// "0o600"), quoted or not: the YAML text is read as octal whatever YAML
// would make of it.
type FileMode struct{ os.FileMode }

// UnmarshalYAML parses an octal permission mode of data files: the owner
// reads and writes (optout rewrites its own files, and a mode it could not
// read back would fail the next run), and nobody executes them (folders
// get their x bits from FolderMode).
func (m *FileMode) UnmarshalYAML(n *yaml.Node) error {
	s := strings.TrimPrefix(strings.TrimSpace(n.Value), "0o")
	v, err := strconv.ParseUint(s, 8, 32)
	switch {
	case err != nil || v > 0o777:
		return fmt.Errorf("line %d: output_file_mode %q is not an octal permission mode such as \"0600\"", n.Line, n.Value)
	case v&0o600 != 0o600:
		return fmt.Errorf("line %d: output_file_mode %q must let the owner read and write (0600 at least)", n.Line, n.Value)
	case v&0o111 != 0:
		return fmt.Errorf("line %d: output_file_mode %q has an execute bit; give the files' mode (e.g. \"0640\"): folders get x bits where it has r bits", n.Line, n.Value)
	}
	m.FileMode = os.FileMode(v)
	return nil
}

// MarshalYAML writes the mode as it is configured: "0600".
func (m FileMode) MarshalYAML() (any, error) { return fmt.Sprintf("%04o", uint32(m.FileMode)), nil }

// FolderMode is the mode of optout's folders under output: the file mode
// with an x bit wherever it has an r bit (0600 → 0700, 0640 → 0750).
func (m FileMode) FolderMode() os.FileMode { return m.FileMode | (m.FileMode&0o444)>>2 }

// retentionUnset marks retention_months absent from the file (24 applies):
// a value no one writes (a written -1 was taken for no value).
const retentionUnset = math.MinInt

// maxRetentionMonths bounds retention_months: a longer one made a cutoff
// before the engines' first timestamp.
const maxRetentionMonths = 1200

func defaults() Config {
	return Config{
		Engine:   "duckdb",
		Timezone: "America/Los_Angeles",
		BigQuery: BigQuery{Location: "US"},
		// Outputs hold personal data: the owner alone reads them.
		OutputFileMode: FileMode{0o600},
		Policy: Policy{
			ApplyPending:          true,
			GPCCategories:         []string{"all"},
			SLABusinessDays:       15,
			StateSLABusinessDays:  map[string]int{},
			TargetBusinessDays:    5,
			RetentionMonths:       retentionUnset,
			SnapshotRetentionDays: 7,
			ExportRetentionDays:   400,
			MaxQuarantineRatio:    0.01,
			MaxInvalidKeyRatio:    0.9,
		},
	}
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// envValueProblem says why an environment variable's value cannot be
// pasted into the config's text, or "" when it can. The value lands in the
// middle of one YAML value, so nothing in it may end that value, start a
// comment, a key or another item, close a flow mapping or list, or make
// the value an alias or a block: '/data/out # nightly' became /data/out,
// a line break added keys, and an empty BASE turned ${BASE}/out into /out.
func envValueProblem(v string) string {
	switch {
	case v == "":
		return "is empty"
	case strings.TrimSpace(v) != v:
		return "begins or ends with a blank"
	case strings.ContainsAny(v, "\n\r"):
		return "holds a line break"
	case strings.ContainsAny(v, "#\"'\\,[]{}"):
		return `holds one of # " ' \ , [ ] { }`
	case strings.Contains(v, ": ") || strings.HasSuffix(v, ":"):
		return `holds ": " or ends with ":"`
	case strings.ContainsAny(v[:1], "*&!|>%@`"):
		return "begins with one of * & ! | > % @ `"
	}
	return ""
}

// Load reads, expands, decodes strictly and validates the file at path.
// Every error it returns carries exit code 2.
func Load(path string) (*Config, error) {
	c, err := load(path)
	return c, exit.With(exit.Usage, err)
}

// emptyListItem finds a null item in any list of the config. The decoder
// drops such an item from a list of settings or words without a word, so
// an export or request source whose lines were lost, or a stray "-",
// would silently not exist.
func emptyListItem(n *yaml.Node) *yaml.Node {
	for _, c := range n.Content {
		if n.Kind == yaml.SequenceNode && c.Kind == yaml.ScalarNode && c.ShortTag() == "!!null" {
			return c
		}
		if found := emptyListItem(c); found != nil {
			return found
		}
	}
	return nil
}

func load(path string) (*Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("config file %s does not exist: pass --config with the path of your optout.yaml", path)
		}
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	var missing, unfit []string
	expanded := envRef.ReplaceAllStringFunc(string(raw), func(m string) string {
		name := envRef.FindStringSubmatch(m)[1]
		v, ok := os.LookupEnv(name)
		if !ok {
			missing = append(missing, name)
		} else if why := envValueProblem(v); why != "" {
			unfit = append(unfit, name+" "+why)
		}
		return v
	})
	if len(missing) > 0 {
		return nil, fmt.Errorf("config %s: environment variable(s) %s used as ${...} are not set", path, strings.Join(missing, ", "))
	}
	if len(unfit) > 0 {
		return nil, fmt.Errorf("config %s: environment variable %s: a ${...} is replaced by its text before the YAML is read, so the text must be a plain part of one value; write such a value in the file itself", path, strings.Join(unfit, "; "))
	}
	c := defaults()
	dec := yaml.NewDecoder(bytes.NewReader([]byte(expanded)))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("config %s: %s", path, friendlyYAMLError(err))
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(expanded), &doc); err == nil {
		if item := emptyListItem(&doc); item != nil {
			return nil, fmt.Errorf("config %s: line %d: an empty list item (a - with nothing after it, ~ or null): complete it or remove it", path, item.Line)
		}
	}
	// A second document (after ---) was ignored, its settings with it.
	var more yaml.Node
	if err := dec.Decode(&more); err != io.EOF {
		return nil, fmt.Errorf("config %s: holds more than one YAML document (a line --- starts another): give the settings in one", path)
	}
	c.Policy.RetentionSet = c.Policy.RetentionMonths != retentionUnset
	if !c.Policy.RetentionSet {
		c.Policy.RetentionMonths = 24
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	c.File = abs
	c.resolvePaths(filepath.Dir(abs))
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return &c, nil
}

// friendlyYAMLError turns yaml.v3's "field x not found in type config.Input"
// into "unknown key x".
func friendlyYAMLError(err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: unmarshal errors:\n")
	re := regexp.MustCompile(`field (\S+) not found in type \S+`)
	msg = re.ReplaceAllString(msg, "unknown key \"$1\"")
	return strings.Join(strings.Fields(msg), " ")
}

func (c *Config) resolvePaths(dir string) {
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	c.Output = abs(c.Output)
	c.DuckDB.Database = abs(c.DuckDB.Database)
	c.DuckDB.TempDirectory = abs(c.DuckDB.TempDirectory)
	for i := range c.Inputs.Requests {
		c.Inputs.Requests[i].Path = abs(c.Inputs.Requests[i].Path)
	}
	for _, in := range []*Input{c.Inputs.Customers, c.Inputs.IdentityLinks, c.Inputs.Traffic} {
		if in != nil {
			in.Path = abs(in.Path)
		}
	}
	for i := range c.Exports {
		c.Exports[i].Path = abs(c.Exports[i].Path)
	}
	if c.Lineage != nil {
		c.Lineage.File = abs(c.Lineage.File)
	}
}
