package bigquery

import (
	"context"
	"strings"
	"testing"
	"time"

	bq "google.golang.org/api/bigquery/v2"

	"github.com/optout-dev/optout/internal/testkit/bqfake"
	"github.com/optout-dev/optout/internal/testkit/zetasql"
	"github.com/optout-dev/optout/transforms"
)

// runsColumns are columns of the runs row as the fake stages it: two an
// old runs table has, and three added since, a list of structs among them.
var runsColumns = []*bq.TableFieldSchema{
	{Name: "run_id", Type: "STRING"},
	{Name: "dt", Type: "DATE"},
	{Name: "statements", Type: "INTEGER"},
	{Name: "provisional", Type: "BOOLEAN"},
	{Name: "outputs", Type: "RECORD", Mode: "REPEATED", Fields: []*bq.TableFieldSchema{{Name: "table", Type: "STRING"}, {Name: "rows", Type: "INTEGER"}}},
}

// recordRun appends a runs row to the fake's runs table, which has the
// columns named has (spelled so), and returns the jobs it sent after the row's own.
func recordRun(t *testing.T, has ...string) []bqfake.Job {
	t.Helper()
	f := bqfake.New(t)
	var cols []*bq.TableFieldSchema
	for _, c := range runsColumns {
		for _, h := range has {
			if strings.EqualFold(c.Name, h) {
				named := *c
				named.Name = h // as the old table spells it
				cols = append(cols, &named)
			}
		}
	}
	f.AddTable("optout.runs", "run_id STRING") // then its columns
	f.Table("optout.runs").Schema.Fields = cols
	f.Answer = func(j bqfake.Job) *bqfake.Result {
		if j.Step == "runs" {
			return &bqfake.Result{Schema: runsColumns}
		}
		return nil
	}
	e, _ := newTestEngine(t, f)
	defer e.Close()
	step, err := transforms.RunsStep(transforms.BigQuery, transforms.RunRecord{RunID: testRunID, Date: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), Statements: 7})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.RecordRun(context.Background(), testRunID, step); err != nil {
		t.Fatal(err)
	}
	jobs := f.Jobs()
	if len(jobs) == 0 || jobs[0].Step != "runs" {
		t.Fatalf("jobs %v, want the runs row's first", jobs)
	}
	return jobs[1:]
}

// A runs table an earlier version created lacks the columns added since
// (statements, provisional): the runs row adds them, in one ALTER TABLE
// before its INSERT, and the ALTER is valid GoogleSQL against the old
// table and against one that has them. A table with every column gets no
// ALTER.
func TestRecordRunAddsMissingColumns(t *testing.T) {
	jobs := recordRun(t, "run_id", "DT")
	if len(jobs) != 2 || jobs[0].Step != "add_columns_runs" || jobs[1].Step != "append_runs" {
		t.Fatalf("jobs %v, want the columns added, then the append", jobs)
	}
	alter := jobs[0].SQL
	want := "ALTER TABLE `proj`.`optout`.`runs`\n" +
		"  ADD COLUMN IF NOT EXISTS `statements` INT64,\n" +
		"  ADD COLUMN IF NOT EXISTS `provisional` BOOL,\n" +
		"  ADD COLUMN IF NOT EXISTS `outputs` ARRAY<STRUCT<`table` STRING, `rows` INT64>>"
	if alter != want {
		t.Errorf("the ALTER:\n%s\nwant:\n%s", alter, want)
	}
	if jobs := recordRun(t, "run_id", "dt", "statements", "provisional", "outputs"); len(jobs) != 1 || jobs[0].Step != "append_runs" {
		t.Errorf("a runs table with every column: jobs %v, want the append alone", jobs)
	}

	zs := zetasql.ForTest(t)
	str, date := `{"typeKind": "TYPE_STRING"}`, `{"typeKind": "TYPE_DATE"}`
	old := zetasql.Table{Name: "proj.optout.runs", Columns: []zetasql.Column{{Name: "run_id", Type: str}, {Name: "dt", Type: date}}}
	if err := zs.Analyze(context.Background(), alter, zetasql.Catalog{Tables: []zetasql.Table{old}}); err != nil {
		t.Errorf("ZetaSQL: %v\n%s", err, alter)
	}
}
