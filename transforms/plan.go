package transforms

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/optout-dev/optout/schemas"
)

// Source is an input as the steps see it: a registered relation and its columns.
type Source struct {
	Name   string          // input name: a request source's name, "customers", ...
	Format string          // a request source's format (SPEC §3.1); "" or canonical for the rest
	View   string          // name (unquoted) of the relation the engine registered
	Fields []schemas.Field // its columns (with _file and _row, which engines add)
	// InPlace: the steps read a warehouse table itself, which another job
	// may change between two of them, not a snapshot (BigQuery's
	// customers). The customers' steps then read it twice, and
	// customers_reread proves both reads saw the same rows.
	InPlace bool
}

// Column returns the actual name of column name (matched case-insensitively).
func (s Source) Column(name string) (string, bool) {
	f, ok := schemas.Find(s.Fields, name)
	return f.Name, ok
}

// QuarantineColumns are the columns a quarantine table adds to an input
// row's own: the reason and the file (SPEC §9).
var QuarantineColumns = []string{"reason", "source_file"}

// Renamed is an input column a quarantine table writes under another name.
type Renamed struct{ Name, As string }

// QuarantineRenamed lists the columns of s named like a QuarantineColumns
// column (in any case), each to be written as input_<name>, or
// input_<name>_1, _2, … when s has that column too: a request log's own
// "reason" column took the place of optout's, whose reason then went out
// as reason_1, and a log with both reason and input_reason made BigQuery
// refuse the quarantine table (two columns input_reason).
func (s Source) QuarantineRenamed() []Renamed {
	var out []Renamed
	for _, c := range QuarantineColumns {
		if n, ok := s.Column(c); ok {
			as := "input_" + c
			for i := 1; ; i++ {
				if _, taken := s.Column(as); !taken {
					break
				}
				as = fmt.Sprintf("input_%s_%d", c, i)
			}
			out = append(out, Renamed{n, as})
		}
	}
	return out
}

// ColumnName is the actual name of column name, or name when s lacks it.
func (s Source) ColumnName(name string) string {
	if n, ok := s.Column(name); ok {
		return n
	}
	return name
}

// Categories renders the categories column of src as a list of strings; a
// plain string column holds comma-separated categories, and a blank one
// none (NULL), as a NULL does.
func (d Dialect) Categories(src Source) string {
	f, ok := schemas.Find(src.Fields, "categories")
	switch {
	case !ok:
		return d.Null("text[]")
	case f.Family == schemas.String:
		return d.Split("nullif(optout_trim("+d.Ident(f.Name)+"), '')", "','")
	default:
		return d.Ident(f.Name)
	}
}

// Params are the values of one run.
type Params struct {
	Date          time.Time // the logical date D (midnight UTC of that day)
	AsOf          time.Time // 00:00 of D+1 in the configured time zone
	Now           time.Time
	NotYet        time.Time // no timestamp from here on can have happened: the later of Now and the wall clock at the start
	Seen          time.Time // the run sees status changes dated before this: the earlier of AsOf and Now (a provisional run's now)
	ApplyPending  bool
	GPCCategories string // comma-separated

	TimeZone                 string // IANA name: business days and months are civil dates there
	SLADays, TargetDays      int    // policy.sla_business_days, policy.target_business_days
	CalendarFrom, CalendarTo time.Time
	BusinessDays             string // the business days of the calendar window, comma-separated
	RetentionCutoff          string // RFC 3339; set only when policy.retention_months is
}

// StateSLA is one policy.state_sla_business_days entry.
type StateSLA struct {
	State string
	Days  int
}

// Export is one configured export and its registered source.
type Export struct {
	Name, Destination, Category, Channel, Mode, Format string
	HashIdentifiers                                    bool
	FormulaGuard                                       bool              // CSV: guard text cells (SPEC §7 Safe CSV)
	Identifiers                                        map[string]string // kind → column
	Src                                                Source
}

// KeptReason says why export_decisions kept one of the export's usable
// rows (optout explain): the reverse of drop_reason, over the row's whole
// R(x).
func (e Export) KeptReason() string {
	channel := e.ChannelCategory()
	switch {
	case e.Mode == "require_opt_in" && channel != "":
		return "kept: the row's latest request covering " + e.Category + " is an opt_in, and its latest covering " + channel + " is not an opt_out"
	case e.Mode == "require_opt_in":
		return "kept: the row's latest request covering " + e.Category + " is an opt_in"
	case channel != "":
		return "kept: neither the row's latest request covering " + e.Category + " nor its latest covering " + channel + " is an opt_out"
	}
	return "kept: the row's latest request covering " + e.Category + " is not an opt_out"
}

// ChannelCategory is the category of the export's channel (channel:email),
// or "" when it has none.
func (e Export) ChannelCategory() string {
	if e.Channel == "" {
		return ""
	}
	return schemas.ChannelCategory(e.Channel)
}

// keyColumns returns the export's mapped identifier columns in kind order.
func (e Export) keyColumns(d Dialect, alias string) KeyColumns {
	var out KeyColumns
	for _, k := range schemas.IdentifierKinds {
		if col, ok := e.Identifiers[k]; ok {
			if n, found := e.Src.Column(col); found {
				col = n
			}
			out = append(out, struct{ Kind, Expr string }{k, alias + d.Ident(col)})
		}
	}
	return out
}

// Plan is everything the steps of one run depend on.
type Plan struct {
	Requests      []Source
	Customers     Source
	Links         *Source
	Traffic       *Source
	Exports       []Export
	HasPrevState  bool // a prev_optout_state relation is registered
	HasPrevFeed   bool // the latest earlier date's state is gone, and prev_flag_changes holds every date's feed
	HasPrevLedger bool // a prev_requests_ledger relation is registered
	// HasPrevLedgerRemoved: a prev_requests_ledger_removed relation holds
	// what earlier runs' ledger retention removed.
	HasPrevLedgerRemoved bool
	HasPrevRuns          bool // a prev_runs relation (the runs rows so far) is registered
	// LaterDateRan: a date after D has published outputs, so the ledger
	// was written by a run that read D's requests too (ledger.sql).
	LaterDateRan    bool
	HasPrevNotices  bool   // a prev_notifications relation holds what an earlier run of D notified
	LeakTestExport  string // test hook (OPTOUT_TEST_PLANT_LEAK): this export is written unfiltered
	StateSLA        []StateSLA
	ExportHistory   []HistoryView // the registered views of the exports' earlier published files
	ExportPublished []Published   // when each of those files was published
	P               Params
	Dialect         Dialect // the SQL the steps are rendered in
	// Scratch is, on BigQuery, the dataset holding the run's own relations
	// (inputs' copies, registered views, temporary and staged tables).
	Scratch string
}

// customerKinds are the identifier kinds a customer row yields keys of.
var customerKinds = []string{"customer_id", "email", "phone", "cookie_id", "device_id"}

// CustomerKeys are the keys of a customer row: customer_rows keeps their
// value columns (RowKeys.Cols), from which the steps rebuild a list. The
// customer_id key is customer_rows' customer_id column, not a copy.
func (p Plan) CustomerKeys() RowKeys {
	k := rowKeys(p.Dialect, keyColumns(p.Dialect, p.Customers, customerKinds), p.NeedHashes())
	return k.named(p.Dialect, "customer_id", "customer_id")
}

// linkKinds are the identifier kinds an identity link row adds to its
// customer.
var linkKinds = []string{"cookie_id", "device_id", "email", "phone", "email_sha256", "phone_sha256"}

// LinkKeys are the keys an identity link row adds to its customer:
// link_rows keeps their value columns, like customer_rows, so that each
// can be probed against the requests' keys; none without links.
func (p Plan) LinkKeys() RowKeys {
	if p.Links == nil {
		return RowKeys{}
	}
	return rowKeys(p.Dialect, keyColumns(p.Dialect, *p.Links, linkKinds), p.NeedHashes())
}

// ExportRowKeys are the keys of a row of export e: export_rows__<e> keeps
// their value columns (RowKeys.Cols), and the steps that need a row's
// list of keys rebuild it over them (RowKeys.WithList).
func (p Plan) ExportRowKeys(e Export) RowKeys {
	return rowKeys(p.Dialect, e.keyColumns(p.Dialect, ""), p.NeedHashes())
}

// ExportCategories are the categories the exports decide on: each
// export's category and its channel's, sorted and distinct. The per-key
// steps (key_category_state, suppressed_customer_keys) need no other.
func (p Plan) ExportCategories() []string {
	var out []string
	for _, e := range p.Exports {
		out = append(out, e.Category)
		if c := e.ChannelCategory(); c != "" {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Phases are the steps of a run: Validate reads and checks every input;
// Transform computes the outputs from what Validate left. Validate also
// computes the requests (before the customers are read) and the customer
// keys (after them, before the exports' rows; Step.FromTables): the big
// customer_rows is then dropped before the exports' rows are read, instead
// of being held beside them. (A backfill keeps customer_rows, so there it
// is held beside them.)
type Phases struct {
	Validate  []Step
	Transform []Step
}

// NeedHashes reports whether any input carries hashed identifiers, so that
// plain emails and phones must also yield their hash keys (SPEC §4).
func (p Plan) NeedHashes() bool {
	srcs := append([]Source{}, p.Requests...)
	if p.Links != nil {
		srcs = append(srcs, *p.Links)
	}
	for _, s := range srcs {
		for _, k := range []string{"email_sha256", "phone_sha256"} {
			if _, ok := s.Column(k); ok {
				return true
			}
		}
	}
	for _, e := range p.Exports {
		if _, ok := e.Identifiers["email_sha256"]; ok {
			return true
		}
		if _, ok := e.Identifiers["phone_sha256"]; ok {
			return true
		}
	}
	return false
}

// Published is when an export file was published: the now of the run that
// wrote it (RFC 3339), empty when unknown.
type Published struct {
	File string `sql:"file"`
	At   string `sql:"published_at"`
}

// PublishedAs is what decided the keys of an export's file as written,
// recorded with the file when it is published. The notifications read
// each earlier file through its own, not through today's config: a column
// renamed, hashing switched on, a destination changed or an export removed
// since would otherwise fail the run or lose the people the file carried.
type PublishedAs struct {
	Destination     string            `json:"destination"`
	Category        string            `json:"category"`
	Channel         string            `json:"channel,omitempty"`
	HashIdentifiers bool              `json:"hash_identifiers"`
	Identifiers     map[string]string `json:"identifiers"` // kind → the column as written
}

// AsPublished is what e's file records about how it was written.
func (e Export) AsPublished() PublishedAs {
	ids := map[string]string{}
	for k, col := range e.Identifiers {
		ids[k] = e.Src.ColumnName(col)
	}
	return PublishedAs{Destination: e.Destination, Category: e.Category, Channel: e.Channel, HashIdentifiers: e.HashIdentifiers, Identifiers: ids}
}

// HistoryView is a registered view over some of an export's earlier
// published files, all written the same way: As, or, for files an older
// version published without that record, unknown (nil).
type HistoryView struct {
	Export, View string
	As           *PublishedAs
}

// historyExport is the export view v's files are read as: as they were
// published, else as today's export of that name reads (false: neither
// is known).
func (p Plan) historyExport(v HistoryView) (Export, bool) {
	if v.As != nil {
		a := v.As
		return Export{Name: v.Export, Destination: a.Destination, Category: a.Category, Channel: a.Channel,
			HashIdentifiers: a.HashIdentifiers, Identifiers: a.Identifiers}, true
	}
	for _, e := range p.Exports {
		if e.Name == v.Export {
			return e, true
		}
	}
	return Export{}, false
}

// HistoryFromStep is the Check step, run just before
// third_party_notifications, whose one row's history_from is the earliest
// export date that step can read (NULL: none): the job may narrow the
// history views to the files from that date on.
const HistoryFromStep = "history_from"

// historyData is one registered view of an export's published files, as
// the third_party_notifications step reads it.
type historyData struct {
	Export          Export
	View            string
	ChannelCategory string
	Keys            RowKeys // the keys of a written row: normalized, or destination-hashed
	Hashes          []keyHash
}

// keyHash is a key kind with its identifier type (Family) and its hash as
// a destination takes it (Expr, of the key's value).
type keyHash struct {
	Family, Kind, Expr string
	// TypeRank is Family's place among IdentifierTypes: a suppression list
	// is made distinct and sorted by it and the hash, which DuckDB does in
	// about two thirds of the time it takes over the two texts
	// (docs/performance.md, "Kept on 2026-12-07 (sixth session)").
	TypeRank int
}

type stepData struct {
	*Plan
	History          []historyData
	Src              Source
	Adapt            adaptData
	Export           Export
	ChannelCategory  string
	RequireOptIn     bool
	Replace          string // the export's REPLACE items: hashed identifiers, guarded text
	WrittenView      string
	WrittenKeys      RowKeys
	SuppressionKinds string // the key kinds an ad platform's list takes, quoted; empty: every kind
	// KeyHashes: every key kind with its identifier type and its hash as
	// the destination takes it, for the suppression list, a hashed
	// export's leak check and its third-party notifications.
	KeyHashes []keyHash
	// IdentifierTypes: the identifier types of KeyHashes, sorted in byte
	// order as SQL compares the texts, so that ordering by TypeRank is
	// ordering by Family.
	IdentifierTypes []string
	// PlainHashes: with hashed identifiers in some input, the hash keys
	// (HashKind, computed from "value" by Expr) that a plain email or
	// phone (Kind) yields, as an export row carrying it yields them.
	PlainHashes     []struct{ Kind, HashKind, Expr string }
	PlantLeak       bool
	Keys            RowKeys
	Rows            string
	HasLater        bool
	HasLinks        bool
	Exclude         string
	Statuses        string
	KnownCategories string
	SaleCategories  string
	// LaterByDate: the rows (traffic's) have a later flag too, for a date
	// after D; no run for D reads them (rows_as_of).
	LaterByDate bool
	// Reach: the export row tables hash_only_reach reads; HashOnlyReach:
	// that step ran (third_party_notifications reads its table).
	Reach         []exportRows
	HashOnlyReach bool
	// Reread: the keys of a row of customer_rows (First) and of a row as
	// customers_flagged wrote it (Second), each as one groupable value.
	Reread struct{ First, Second string }
}

// exportRows is an export's row table and the keys it keeps.
type exportRows struct {
	Rows string
	Keys RowKeys
}

// AsOfRows is d for reading the request rows of step rows (template
// rows_as_of).
func (d stepData) AsOfRows(rows string) stepData {
	d.Rows, d.HasLater = rows, true
	return d
}

// MetricTables are the metrics of SPEC §8, each under metrics/<table>/dt=D/.
var MetricTables = []string{"requests_monthly", "optout_rate_by_source", "processing_time", "sync",
	"categories", "geography", "reauthorizations", "annual_disclosure"}

// CustomersRereadStep is the Check step that fails a run whose two reads
// of customers read in place (Source.InPlace) saw different rows: its
// one row's differing counts the rows, by customer_id and keys, that are
// not in both.
const CustomersRereadStep = "customers_reread"

// CustomerFlagColumns are the columns customers_flagged adds.
var CustomerFlagColumns = []string{"ccpa_opt_out", "opt_out_date", "opt_out_categories"}

// Build renders every step of the run.
func (p Plan) Build() (Phases, error) {
	dl := p.Dialect
	r, err := newRenderer(dl)
	if err != nil {
		return Phases{}, err
	}
	r.scratch = p.Scratch
	hashes := p.NeedHashes()
	base := stepData{
		Plan:            &p,
		HasLinks:        p.Links != nil,
		Statuses:        "(" + strings.Join(quoteAll(schemas.Statuses), ", ") + ")",
		KnownCategories: listLiteral(append(append([]string{schemas.AllCategory}, schemas.SaleCategories...), schemas.ChannelCategories...)),
		SaleCategories:  listLiteral(schemas.SaleCategories),
	}
	var ph Phases
	var errs []error
	add := func(phase *[]Step, s Step, tmpl string, data stepData) {
		sql, args, err := r.render(tmpl, data)
		if err != nil {
			errs = append(errs, err)
			return
		}
		s.SQL, s.Args, s.Reads = sql, args, r.reads
		*phase = append(*phase, s)
	}
	macros, err := MacrosStep(dl)
	if err != nil {
		return Phases{}, err
	}
	ph.Validate = append(ph.Validate, macros)

	// rowSteps adds the steps that normalize, count and quarantine the rows
	// of src. Their table depends on src's files alone, or, for a vendor
	// format, on the adapter's table (adapted): a backfill keeps it. When
	// the Validate phase is a rows table's last reader (the links'), its
	// rows to quarantine are taken into a small table at once
	// (quarantined__<src>), so that the rows table is dropped there and not
	// held until quarantine__<src> is written. The customers' quarantine
	// tests customer_id again, in the files where customer_rows found a
	// row without one (files_missing_customer_id).
	rowSteps := func(src Source, tmpl, rows string, kinds []string, adapted string, droppedInValidate bool) {
		d := base
		d.Src, d.Rows, d.HasLater, d.LaterByDate = src, rows, tmpl == "request_rows", tmpl == "traffic_rows"
		kc := keyColumns(dl, src, kinds)
		d.Keys = rowKeys(dl, kc, hashes)
		s := Step{Name: rows, Kind: Temp, Table: rows, OnlyInput: src.Name}
		if adapted != "" {
			s.OnlyInput, s.OnlyTables = "", []string{adapted}
		}
		add(&ph.Validate, s, tmpl, d)
		counts := Step{Name: "input_counts__" + src.Name, Kind: Check}
		quarantine := Step{Name: "quarantine__" + src.Name, Kind: Output, Table: "quarantine/" + src.Name, PerDate: true}
		if !d.HasLater && !d.LaterByDate { // a request source's counts and quarantine depend on the as-of instant, traffic's on D
			counts.OnlyTables = []string{rows}
			quarantine.OnlyInput, quarantine.OnlyTables = s.OnlyInput, []string{rows}
		}
		add(&ph.Validate, counts, "input_counts", d)
		if tmpl == "customer_rows" {
			if !src.InPlace { // read in place, customer_rows keeps the rows themselves
				files := Step{Name: "files_missing_customer_id", Kind: Temp, Table: "files_missing_customer_id", OnlyTables: []string{rows}}
				add(&ph.Validate, files, "files_missing_customer_id", d)
				quarantine.OnlyTables = []string{files.Table}
			}
			add(&ph.Transform, quarantine, "quarantine_customers", d)
			return
		}
		q := d
		if droppedInValidate {
			quarantined := Step{Name: "quarantined__" + src.Name, Kind: Temp, Table: "quarantined__" + src.Name, OnlyTables: []string{rows}}
			add(&ph.Validate, quarantined, "quarantined_rows", d)
			q.Rows, quarantine.OnlyTables = quarantined.Table, []string{quarantined.Table}
		}
		add(&ph.Transform, quarantine, "quarantine", q)
	}
	for _, src := range p.Requests {
		adapted := ""
		if src.IsAdapted() {
			d := base
			d.Src, d.Adapt = src, newAdaptData(dl, src)
			adapted = adaptedView(src)
			add(&ph.Validate, Step{Name: adapted, Kind: Temp, Table: adapted, OnlyInput: src.Name}, "adapt_"+src.Format, d)
			src = adaptedSource(src, d.Adapt)
		}
		rowSteps(src, "request_rows", "request_rows__"+src.Name, schemas.IdentifierKinds, adapted, false)
	}
	// The small side, before the big customer rows are read, so that what
	// these steps work through is not held beside customer_rows (at 10M
	// customers, making them after customer_rows peaked ~300 MB higher).
	add(&ph.Validate, Step{Name: "request_id_collisions", Kind: Check, FromTables: true}, "request_id_collisions", base)
	for _, name := range []string{"current_requests", "request_keys", "request_categories"} {
		add(&ph.Validate, Step{Name: name, Kind: Temp, Table: name, FromTables: true}, name, base)
	}
	add(&ph.Validate, Step{Name: "requests_counted", Kind: Check, FromTables: true}, "requests_counted", base)
	if p.HasPrevLedger {
		add(&ph.Validate, Step{Name: "counted_requests_missing", Kind: Check, FromTables: true}, "counted_requests_missing", base)
	}
	rowSteps(p.Customers, "customer_rows", "customer_rows", customerKinds, "", false)
	add(&ph.Validate, Step{Name: "customer_duplicates", Kind: Check, OnlyTables: []string{"customer_rows"}}, "customer_duplicates", base)
	if p.Links != nil {
		rowSteps(*p.Links, "link_rows", "link_rows", linkKinds, "", true)
	}
	if p.Traffic != nil {
		// metrics_optout_rate_by_source reads traffic_rows at the end.
		rowSteps(*p.Traffic, "traffic_rows", "traffic_rows", nil, "", false)
	}
	// Everything later steps need of customer_rows, taken before the
	// exports' rows are made: its last reader is customer_facts, so it is
	// dropped first (at 10M customers the two held together were the
	// run's peak memory). Moving the later customer and key steps here
	// too was measured, and raised the peak.
	for _, name := range []string{"customer_keys", "customer_facts"} {
		add(&ph.Validate, Step{Name: name, Kind: Temp, Table: name, FromTables: true}, name, base)
	}
	if p.Traffic == nil {
		add(&ph.Validate, Step{Name: "customer_sources", Kind: Temp, Table: "customer_sources", FromTables: true, OnlyTables: []string{"customer_rows"}}, "customer_sources", base)
	}

	add(&ph.Transform, Step{Name: "calendar", Kind: Temp, Table: "calendar", ReadsNothing: true}, "calendar", base)
	for _, name := range []string{"customer_matches", "customer_category_state", "customer_state"} {
		add(&ph.Transform, Step{Name: name, Kind: Temp, Table: name}, name, base)
	}
	flagged := base
	flagged.Src = p.Customers
	flagged.Exclude = "_file, _row, _optout_id"
	for _, c := range CustomerFlagColumns {
		if n, ok := p.Customers.Column(c); ok {
			flagged.Exclude += ", " + dl.Ident(n)
		}
	}
	flaggedStep := Step{Name: "customers_flagged", Kind: Output, Table: "customers_flagged", PerDate: true}
	if p.Customers.InPlace {
		// customers_reread reads the rows as customers_flagged wrote them.
		flaggedStep.WrittenView = "written__customers_flagged"
	}
	add(&ph.Transform, flaggedStep, "customers_flagged", flagged)
	if p.Customers.InPlace {
		d := base
		d.Keys = rowKeys(dl, keyColumns(dl, p.Customers, customerKinds), hashes)
		d.WrittenView = flaggedStep.WrittenView
		// Each row's keys as one value, named alike on both sides:
		// customer_rows keeps the customer_id key as customer_id.
		var first, second []string
		for _, c := range d.Keys.Cols {
			col := c.Col
			if c.Kind == "customer_id" {
				col = "customer_id"
			}
			first, second = append(first, c.Col, col), append(second, c.Col, c.Col)
		}
		d.Reread.First, d.Reread.Second = dl.GroupKey(dl.Struct(first...)), dl.GroupKey(dl.Struct(second...))
		add(&ph.Transform, Step{Name: CustomersRereadStep, Kind: Check}, "customers_reread", d)
	}
	for _, name := range []string{"optout_state", "flag_changes"} {
		add(&ph.Transform, Step{Name: name, Kind: Output, Table: name, PerDate: true}, name, base)
	}
	for _, e := range p.Exports {
		d := base
		d.Src = e.Src
		d.Keys, d.Rows = p.ExportRowKeys(e), "export_rows__"+e.Name
		add(&ph.Validate, Step{Name: d.Rows, Kind: Temp, Table: d.Rows, OnlyInput: e.Name}, "export_rows", d)
		add(&ph.Validate, Step{Name: "input_counts__" + e.Name, Kind: Check, OnlyTables: []string{d.Rows}}, "input_counts", d)
		add(&ph.Transform, Step{Name: "quarantine__" + e.Name, Kind: Output, Table: "quarantine/" + e.Name, PerDate: true,
			OnlyInput: e.Name, OnlyTables: []string{d.Rows}}, "quarantine", d)
	}
	if len(p.Exports) > 0 {
		for _, name := range []string{"key_category_state", "suppressed_customer_keys"} {
			add(&ph.Transform, Step{Name: name, Kind: Temp, Table: name}, name, base)
		}
	}
	// Only a config with hashed identifiers (NeedHashes) can have a request
	// known by a hash alone: read before the export row tables are let go.
	hashOnlyReach := len(p.Exports) > 0 && p.NeedHashes()
	if hashOnlyReach {
		d := base
		for _, e := range p.Exports {
			d.Reach = append(d.Reach, exportRows{Rows: "export_rows__" + e.Name, Keys: p.ExportRowKeys(e)})
		}
		add(&ph.Transform, Step{Name: "hash_only_reach", Kind: Temp, Table: "hash_only_reach"}, "hash_only_reach", d)
	}
	for _, e := range p.Exports {
		d := p.exportData(base, e, hashes)
		add(&ph.Transform, Step{Name: "export_row_state__" + e.Name, Kind: Temp, Table: "export_row_state__" + e.Name}, "export_row_state", d)
		add(&ph.Transform, Step{Name: "export_decisions__" + e.Name, Kind: Temp, Table: "export_decisions__" + e.Name}, "export_decisions", d)
		add(&ph.Transform, Step{Name: "export_tally__" + e.Name, Kind: Temp, Table: "export_tally__" + e.Name}, "export_tally", d)
		add(&ph.Transform, Step{Name: "export__" + e.Name, Kind: Output, Table: "exports/" + e.Name, PerDate: true,
			Format: e.Format, Export: e.Name, WrittenView: d.WrittenView}, "export", d)
		// The suppression list is the last step to read the export's row
		// tables: written before the leak check, it lets them go first.
		add(&ph.Transform, Step{Name: "suppression_list__" + e.Name, Kind: Output, Table: "suppression/" + e.Name, PerDate: true,
			Format: "csv", FileName: "suppression.csv"}, "suppression_list", d)
		add(&ph.Transform, Step{Name: "leak_check__" + e.Name, Kind: Check, Export: e.Name}, "leak_check", d)
	}
	// The ledger after the exports: it is not held while they are decided.
	add(&ph.Transform, Step{Name: "ledger", Kind: Temp, Table: "ledger"}, "ledger", base)
	add(&ph.Transform, Step{Name: "requests_ledger", Kind: Output, Table: "requests_ledger"}, "requests_ledger", base)
	add(&ph.Transform, Step{Name: "ledger_removed", Kind: Check}, "ledger_removed", base)
	add(&ph.Transform, Step{Name: "requests_ledger_removed", Kind: Output, Table: "requests_ledger_removed"}, "requests_ledger_removed", base)
	if p.HasPrevLedger {
		add(&ph.Transform, Step{Name: "opt_outs_narrowed", Kind: Check}, "opt_outs_narrowed", base)
	}
	if len(p.Exports) > 0 {
		add(&ph.Transform, Step{Name: "export_summary", Kind: Temp, Table: "export_summary"}, "export_summary", base)
		add(&ph.Transform, Step{Name: "export_report", Kind: Output, Table: "export_report", PerDate: true}, "export_report", base)
	}
	// Notifications read the exports as published: a config whose exports
	// were all removed still tells the third parties of the earlier ones
	// (no later run takes a request first enforced now as new).
	if len(p.Exports) > 0 || len(p.ExportHistory) > 0 || p.HasPrevNotices {
		d := base
		d.HashOnlyReach = hashOnlyReach
		for _, v := range p.ExportHistory {
			e, ok := p.historyExport(v)
			if !ok {
				continue // the job warned: an older version's file of an export no longer configured
			}
			ed := p.exportData(base, e, hashes)
			// An earlier file may have been written guarded under an
			// earlier config: read past a guard whatever today's.
			h := historyData{Export: e, View: v.View, ChannelCategory: ed.ChannelCategory,
				Keys: writtenRowKeys(p.Dialect, e.keyColumns(p.Dialect, ""), hashes), Hashes: ed.KeyHashes}
			if e.HashIdentifiers {
				h.Keys = writtenHashKeys(p.Dialect, e.keyColumns(p.Dialect, ""))
			}
			d.History = append(d.History, h)
		}
		if len(d.History) > 0 {
			// The job reads only the history this bound admits (HistoryFromStep).
			add(&ph.Transform, Step{Name: HistoryFromStep, Kind: Check}, "history_from", base)
		}
		add(&ph.Transform, Step{Name: "third_party_notifications", Kind: Output, Table: "third_party_notifications", PerDate: true}, "third_party_notifications", d)
	}
	for _, m := range MetricTables {
		if m == "sync" && len(p.Exports) == 0 {
			continue
		}
		add(&ph.Transform, Step{Name: "metrics_" + m, Kind: Output, Table: "metrics/" + m, PerDate: true}, "metrics_"+m, base)
	}
	add(&ph.Transform, Step{Name: "summary", Kind: Check}, "summary", base)
	if len(errs) > 0 {
		return Phases{}, fmt.Errorf("render steps: %v", errs)
	}
	ph.setFree()
	return ph, nil
}

// exportData fills the template data of one export's steps.
func (p Plan) exportData(base stepData, e Export, hashes bool) stepData {
	d := base
	d.Src, d.Export = e.Src, e
	d.Keys = p.ExportRowKeys(e)
	d.ChannelCategory = e.ChannelCategory()
	d.RequireOptIn = e.Mode == "require_opt_in"
	d.PlantLeak = p.LeakTestExport == e.Name
	d.WrittenView = "written__" + e.Name
	dl := p.Dialect
	var replace []string
	hashed := map[string]bool{}
	for _, kc := range e.keyColumns(dl, "") {
		primary := keyExprs(dl, kc.Kind, kc.Expr, false)[0][1]
		if e.HashIdentifiers {
			replace = append(replace, destinationHash(dl, e.Destination, kc.Kind, primary)+" AS "+kc.Expr)
			hashed[e.Src.ColumnName(e.Identifiers[kc.Kind])] = true
		}
	}
	if e.FormulaGuard {
		replace = append(replace, e.formulaGuards(dl, hashed)...)
	}
	d.Replace = strings.Join(replace, ", ")
	// The leak check reads today's file: only a guarded one's cells can
	// hold a guard to read past; any other's are the values the export
	// decided on.
	d.WrittenKeys = rowKeys(dl, e.keyColumns(dl, ""), hashes)
	if e.FormulaGuard {
		d.WrittenKeys = writtenRowKeys(dl, e.keyColumns(dl, ""), hashes)
	}
	if e.HashIdentifiers {
		d.WrittenKeys = writtenHashKeys(dl, e.keyColumns(dl, ""))
	}
	// Every kind has its hash here: a hashed export's leak check and
	// notifications meet the written hashes of whatever kinds it maps. An
	// ad platform's suppression list takes its identifier types alone, and
	// leaves the other kinds out before anything is hashed.
	var kinds []string
	for _, k := range schemas.IdentifierKinds {
		d.KeyHashes = append(d.KeyHashes, keyHash{Family: hashFamily(k), Kind: k, Expr: destinationHash(dl, e.Destination, k, "value")})
		if !slices.Contains(d.IdentifierTypes, hashFamily(k)) {
			d.IdentifierTypes = append(d.IdentifierTypes, hashFamily(k))
		}
		if slices.Contains(adFamilies, hashFamily(k)) {
			kinds = append(kinds, k)
		}
	}
	slices.Sort(d.IdentifierTypes)
	for i := range d.KeyHashes {
		d.KeyHashes[i].TypeRank = slices.Index(d.IdentifierTypes, d.KeyHashes[i].Family)
	}
	if e.Destination != "generic" {
		d.SuppressionKinds = strings.Join(quoteAll(kinds), ", ")
	}
	if hashes {
		for _, kind := range []string{"email", "phone"} {
			for _, kv := range keyExprs(dl, kind, "value", true)[1:] {
				d.PlainHashes = append(d.PlainHashes, struct{ Kind, HashKind, Expr string }{kind, kv[0], kv[1]})
			}
		}
	}
	return d
}

func quoteAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = Literal(x)
	}
	return out
}

func listLiteral(xs []string) string { return "[" + strings.Join(quoteAll(xs), ", ") + "]" }

// ExplainSteps renders the steps of `optout explain` for one identifier of
// kind (email, phone or customer_id): they run after the Transform phase
// (see explainSteps).
func (p Plan) ExplainSteps(kind, subject string) ([]Step, error) {
	r, err := p.scratchRenderer()
	if err != nil {
		return nil, err
	}
	d := struct {
		stepData
		Subject string
	}{stepData: stepData{Plan: &p, HasLinks: p.Links != nil}, Subject: subject}
	d.Keys = rowKeys(p.Dialect, KeyColumns{{Kind: kind, Expr: "v"}}, p.NeedHashes())
	return explainSteps(r, d, "explain_keys", "explain_customers", "explain_requests", "explain_uncounted", "explain_state", "explain_exports")
}

// PublishedNotifications is the relation `optout explain --request-id`
// reads the published third_party_notifications of every date through
// (engine.Output.ReadPublished).
const PublishedNotifications = "published_third_party_notifications"

// ExplainRequestSteps renders the steps of `optout explain --request-id`:
// the request's rows, its life in one row, and the third parties told of
// it, read from PublishedNotifications when notifications is true (else
// none was published). They run after the Transform phase (see
// explainSteps).
func (p Plan) ExplainRequestSteps(requestID string, notifications bool) ([]Step, error) {
	r, err := p.scratchRenderer()
	if err != nil {
		return nil, err
	}
	d := struct {
		stepData
		Subject       string
		Notifications string
	}{stepData: stepData{Plan: &p}, Subject: requestID}
	if notifications {
		d.Notifications = PublishedNotifications
	}
	return explainSteps(r, d, "explain_request_rows", "explain_request", "explain_notified")
}

// scratchRenderer is a renderer of the plan's dialect whose tables are in
// its scratch dataset (BigQuery), for steps rendered after the plan.
func (p Plan) scratchRenderer() (*renderer, error) {
	r, err := newRenderer(p.Dialect)
	if err != nil {
		return nil, err
	}
	r.scratch = p.Scratch
	return r, nil
}

// explainSteps renders each named section of an explanation as a temp
// table of that name (later sections read earlier ones), followed by a
// Check step that reads it back in order (template read_<name>; a
// BigQuery table keeps no order), whose Table names the section.
func explainSteps(r *renderer, data any, names ...string) ([]Step, error) {
	var steps []Step
	for _, name := range names {
		sql, args, err := r.render(name, data)
		if err != nil {
			return nil, err
		}
		read, readArgs, err := r.render("read_"+name, data)
		if err != nil {
			return nil, err
		}
		steps = append(steps, Step{Name: name, Kind: Temp, Table: name, SQL: sql, Args: args},
			Step{Name: "read_" + name, Kind: Check, Table: name, SQL: read, Args: readArgs})
	}
	return steps, nil
}
