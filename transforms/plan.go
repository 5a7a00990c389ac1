package transforms

import (
	"fmt"
	"strings"
	"time"

	"github.com/optout-dev/optout/schemas"
)

// Source is an input as the steps see it: a registered relation and its columns.
type Source struct {
	Name   string          // input name: a request source's name, "customers", ...
	View   string          // quoted name of the relation the engine registered
	Fields []schemas.Field // its columns (with _file and _row, which engines add)
}

// Column returns the actual name of column name (matched case-insensitively).
func (s Source) Column(name string) (string, bool) {
	f, ok := schemas.Find(s.Fields, name)
	return f.Name, ok
}

// Col renders column name, or a typed NULL when the source lacks it.
func (s Source) Col(name, sqlType string) string {
	if n, ok := s.Column(name); ok {
		return Ident(n)
	}
	return "CAST(NULL AS " + sqlType + ")"
}

// Categories renders the categories column as a list of strings; a plain
// string column holds comma-separated categories.
func (s Source) Categories() string {
	f, ok := schemas.Find(s.Fields, "categories")
	switch {
	case !ok:
		return "CAST(NULL AS VARCHAR[])"
	case f.Family == schemas.String:
		return "string_split(" + Ident(f.Name) + ", ',')"
	default:
		return Ident(f.Name)
	}
}

// Params are the values of one run.
type Params struct {
	Date          time.Time // the logical date D (midnight UTC of that day)
	AsOf          time.Time // 00:00 of D+1 in the configured time zone
	Now           time.Time
	ApplyPending  bool
	GPCCategories string // comma-separated
}

// Plan is everything the steps of one run depend on.
type Plan struct {
	Requests      []Source
	Customers     Source
	Links         *Source
	Traffic       *Source
	HasPrevState  bool // a prev_optout_state relation is registered
	HasPrevLedger bool // a prev_requests_ledger relation is registered
	P             Params
}

// Phases are the steps of a run: Validate reads and checks every input;
// Transform computes the outputs from what Validate left.
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
	return false
}

type stepData struct {
	*Plan
	Src             Source
	Keys, Invalid   string
	Rows            string
	HasLater        bool
	HasLinks        bool
	Exclude         string
	Statuses        string
	KnownCategories string
	SaleCategories  string
}

// CustomerFlagColumns are the columns customers_flagged adds.
var CustomerFlagColumns = []string{"ccpa_opt_out", "opt_out_date", "opt_out_categories"}

// Build renders every step of the run.
func (p Plan) Build() (Phases, error) {
	r, err := newRenderer()
	if err != nil {
		return Phases{}, err
	}
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
	add := func(phase *[]Step, s Step, tmpl string, d stepData) {
		sql, args, err := r.render(tmpl, d)
		if err != nil {
			errs = append(errs, err)
			return
		}
		s.SQL, s.Args = sql, args
		*phase = append(*phase, s)
	}
	macros, err := MacrosStep()
	if err != nil {
		return Phases{}, err
	}
	ph.Validate = append(ph.Validate, macros)

	rowSteps := func(src Source, tmpl, rows string, kinds []string, later bool) {
		d := base
		d.Src, d.Rows, d.HasLater = src, rows, later
		kc := keyColumns(src, kinds)
		d.Keys, d.Invalid = keysSQL(kc, hashes), invalidSQL(kc)
		add(&ph.Validate, Step{Name: rows, Kind: Temp, Table: rows}, tmpl, d)
		add(&ph.Validate, Step{Name: "input_counts__" + src.Name, Kind: Check}, "input_counts", d)
		add(&ph.Transform, Step{Name: "quarantine__" + src.Name, Kind: Output, Table: "quarantine/" + src.Name, PerDate: true}, "quarantine", d)
	}
	for _, src := range p.Requests {
		rowSteps(src, "request_rows", "request_rows__"+src.Name, schemas.IdentifierKinds, true)
	}
	rowSteps(p.Customers, "customer_rows", "customer_rows", []string{"customer_id", "email", "phone", "cookie_id", "device_id"}, false)
	add(&ph.Validate, Step{Name: "customer_duplicates", Kind: Check}, "customer_duplicates", base)
	if p.Links != nil {
		rowSteps(*p.Links, "link_rows", "link_rows", []string{"cookie_id", "device_id", "email", "phone", "email_sha256", "phone_sha256"}, false)
	}
	if p.Traffic != nil {
		rowSteps(*p.Traffic, "traffic_rows", "traffic_rows", nil, false)
	}

	for _, name := range []string{"requests", "request_keys", "request_categories", "customer_keys", "customer_matches", "customer_category_state", "customer_state"} {
		add(&ph.Transform, Step{Name: name, Kind: Temp, Table: name}, name, base)
	}
	flagged := base
	flagged.Src = p.Customers
	flagged.Exclude = "_file, _row"
	for _, c := range CustomerFlagColumns {
		if n, ok := p.Customers.Column(c); ok {
			flagged.Exclude += ", " + Ident(n)
		}
	}
	add(&ph.Transform, Step{Name: "customers_flagged", Kind: Output, Table: "customers_flagged", PerDate: true}, "customers_flagged", flagged)
	for _, name := range []string{"optout_state", "flag_changes"} {
		add(&ph.Transform, Step{Name: name, Kind: Output, Table: name, PerDate: true}, name, base)
	}
	add(&ph.Transform, Step{Name: "requests_ledger", Kind: Output, Table: "requests_ledger"}, "requests_ledger", base)
	add(&ph.Transform, Step{Name: "summary", Kind: Check}, "summary", base)
	if len(errs) > 0 {
		return Phases{}, fmt.Errorf("render steps: %v", errs)
	}
	return ph, nil
}

func quoteAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = Literal(x)
	}
	return out
}

func listLiteral(xs []string) string { return "[" + strings.Join(quoteAll(xs), ", ") + "]" }
