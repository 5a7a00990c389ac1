package transforms

import (
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	optoutsql "github.com/optout-dev/optout/sql"
)

// ReportTable is a published table the dashboard's queries (sql/report/)
// read, under the name View.
type ReportTable struct {
	View, Table string
	PerDate     bool // read date D's partition, not the whole table
	Required    bool // no dashboard without it
}

// ReportTables are the published tables the dashboard reads: D's metrics
// (sync only when there are exports), the whole ledger and runs, and D's
// third-party notifications (none when no export is published yet).
func ReportTables() []ReportTable {
	var out []ReportTable
	for _, m := range MetricTables {
		out = append(out, ReportTable{View: "metrics_" + m, Table: "metrics/" + m, PerDate: true, Required: m != "sync"})
	}
	return append(out,
		ReportTable{View: "requests_ledger", Table: "requests_ledger", Required: true},
		ReportTable{View: "runs", Table: "runs", Required: true},
		ReportTable{View: "third_party_notifications", Table: "third_party_notifications", PerDate: true})
}

// ReportParams are the values the dashboard's queries bind.
type ReportParams struct {
	Date     time.Time // D
	TimeZone string    // the config's timezone
	Today    time.Time // the date, in TimeZone, of the now of the run that last wrote the ledger
	// Notices: D's third_party_notifications were published (without
	// them the notices count is 0, and the query reads no such table).
	Notices bool
	// Published: the runs rows have the column published (rows written
	// by an older version do not).
	Published bool
}

// LastMonth is the first day of the month before D's (the headline's
// "last month"; AddDate(0, -1, 0) would turn March 31 into March 3).
func (p ReportParams) LastMonth() time.Time {
	return time.Date(p.Date.Year(), p.Date.Month()-1, 1, 0, 0, 0, 0, time.UTC)
}

// ReportStep renders, in dialect d, query report_<name> of the dashboard
// as a Check step over the published tables read into scratch.
func ReportStep(d Dialect, scratch, name string, p ReportParams) (Step, error) {
	r, err := newRenderer(d)
	if err != nil {
		return Step{}, err
	}
	r.scratch = scratch
	sql, args, err := r.render("report_"+name, p)
	return Step{Name: "report_" + name, Kind: Check, SQL: sql, Args: args}, err
}

// ReportQueries names every query of the dashboard (the files
// report/report_<name>.sql), sorted: the tests hold each to both dialects.
func ReportQueries() ([]string, error) {
	files, err := fs.Glob(optoutsql.FS, "report/report_*.sql")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(path.Base(f), "report_"), ".sql")
		if !strings.Contains(name, ".") { // not a dialect's override
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out, nil
}
