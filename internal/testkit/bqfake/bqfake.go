// Package bqfake is a fake BigQuery REST server for tests (net/http/httptest).
// It speaks the parts of the API the cloud.google.com/go/bigquery client
// uses for a run: datasets insert, get and delete; tables insert, get,
// patch, list and delete; jobs insert, get, getQueryResults and cancel.
// It runs no SQL: the test says what each query job returns (Answer) and
// which job fails (Fail). It keeps the datasets and tables made through the
// API, and those a job's CREATE TABLE … AS or DROP TABLE names, so that the
// client's existence checks see what the run made; and it records every
// job and every dataset or table change, in order (Events).
package bqfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	bq "google.golang.org/api/bigquery/v2"
)

// The bytes every job reports: a finished job (jobs.get), and a dry run.
const (
	JobBytes    = 4096
	DryRunBytes = 123456789
)

// Server is one fake BigQuery. Set its fields before the client sends
// anything; they are read without a lock.
type Server struct {
	URL string
	// Answer gives what a query job returns: its rows, and the columns of
	// the table it creates (or a dry run's result schema). Nil, or a nil
	// Result: no rows.
	Answer func(Job) *Result
	// Fail returns the error reason a job ends with ("": it succeeds).
	Fail func(Job) string
	// Never: getQueryResults never reports a job complete.
	Never bool
	// PageSize is how many rows each page of getQueryResults holds; 0: all.
	PageSize int
	// DMLRows is what every finished job reports as DML-affected rows.
	DMLRows int64
	// TotalRows is every table's row count in tabledata.list (the engine
	// counts a step's rows so).
	TotalRows int64

	mu       sync.Mutex
	jobs     []*job
	events   []Event
	datasets map[string]bool
	tables   map[string]*bq.Table // by dataset.table
}

// Job is a job as the client sent it.
type Job struct {
	ID string
	// Step, RunID and DT are its labels optout_step, optout_run_id, optout_dt.
	Step, RunID, DT string
	SQL             string
	// Params are the values of its query parameters, in order (an array
	// or struct as its JSON).
	Params []string
	DryRun bool
	// Err is the error reason it ended with, "" when it succeeded.
	Err string
	// Sent is the job as it arrived.
	Sent *bq.Job
}

type job struct {
	Job
	result *Result
}

// Event is one change the server saw, in the order it saw them.
type Event struct {
	// Op is one of job, cancel_job, create_dataset, delete_dataset,
	// create_table, patch_table, delete_table (through the API; a job's
	// DDL is its job event).
	Op string
	// Name is the dataset, or dataset.table, or the job's ID.
	Name string
	Job  *Job      // Op job
	Sent *bq.Table // Op create_table and patch_table: as sent
}

// Result is what a query job returns.
type Result struct {
	Schema []*bq.TableFieldSchema
	Rows   [][]any // one value per column; nil is NULL
}

// Rows makes a Result: cols is "name TYPE, name TYPE" (API types: STRING,
// INTEGER, DATE, TIMESTAMP, BOOLEAN, …; "TYPE REPEATED" for an array),
// each row one value per column.
func Rows(cols string, rows ...[]any) *Result {
	r := &Result{Rows: rows}
	for _, c := range strings.Split(cols, ",") {
		name, typ, _ := strings.Cut(strings.TrimSpace(c), " ")
		f := &bq.TableFieldSchema{Name: name, Type: strings.TrimSpace(typ)}
		if elem, ok := strings.CutSuffix(f.Type, " REPEATED"); ok {
			f.Type, f.Mode = elem, "REPEATED"
		}
		r.Schema = append(r.Schema, f)
	}
	return r
}

// FailFirst fails the first n jobs with reason.
func FailFirst(n int, reason string) func(Job) string {
	var mu sync.Mutex
	return func(Job) string {
		mu.Lock()
		defer mu.Unlock()
		if n <= 0 {
			return ""
		}
		n--
		return reason
	}
}

// New starts a fake server until the test ends.
func New(t testing.TB) *Server {
	s := &Server{datasets: map[string]bool{}, tables: map[string]*bq.Table{}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Jobs are the jobs sent, in order.
func (s *Server) Jobs() []Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Job, len(s.jobs))
	for i, j := range s.jobs {
		out[i] = j.Job
	}
	return out
}

// Events are the jobs and the dataset and table changes, in order.
func (s *Server) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Event(nil), s.events...)
}

// Table returns a table (dataset.table), nil when there is none.
func (s *Server) Table(name string) *bq.Table {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tables[name]
}

// TableNames lists the tables there are (dataset.table).
func (s *Server) TableNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for n := range s.tables {
		out = append(out, n)
	}
	return out
}

// AddTable makes a table (dataset.table) as if it existed before the run,
// with cols as Rows takes them; no event is recorded.
func (s *Server) AddTable(name, cols string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tables[name] = s.newTable(name, Rows(cols).Schema)
}

func (s *Server) newTable(name string, fields []*bq.TableFieldSchema) *bq.Table {
	ds, table, _ := strings.Cut(name, ".")
	return &bq.Table{Kind: "bigquery#table", Type: "TABLE", Id: "proj:" + name,
		TableReference: &bq.TableReference{ProjectId: "proj", DatasetId: ds, TableId: table},
		Schema:         &bq.TableSchema{Fields: fields}}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/bigquery/v2")
	p := strings.Split(strings.Trim(path, "/"), "/") // projects/P/…
	if len(p) < 3 || p[0] != "projects" {
		notImplemented(w, r)
		return
	}
	at := func(i int, want string) bool { return len(p) > i && p[i] == want }
	switch {
	case r.Method == http.MethodPost && len(p) == 3 && p[2] == "jobs":
		s.insertJob(w, r, p[1])
	case r.Method == http.MethodGet && len(p) == 4 && p[2] == "queries":
		s.queryResults(w, r, p[1], p[3])
	case r.Method == http.MethodGet && len(p) == 4 && p[2] == "jobs":
		s.getJob(w, p[3])
	case r.Method == http.MethodPost && len(p) == 5 && p[2] == "jobs" && p[4] == "cancel":
		s.cancelJob(w, p[3])
	case len(p) == 3 && p[2] == "datasets" && r.Method == http.MethodPost:
		s.insertDataset(w, r, p[1])
	case len(p) == 4 && p[2] == "datasets":
		s.dataset(w, r, p[1], p[3])
	case len(p) == 5 && at(4, "tables") && r.Method == http.MethodPost:
		s.insertTable(w, r, p[3])
	case len(p) == 5 && at(4, "tables") && r.Method == http.MethodGet:
		s.listTables(w, p[3])
	case len(p) == 6 && at(4, "tables"):
		s.table(w, r, p[3]+"."+p[5])
	case len(p) == 7 && at(4, "tables") && at(6, "data") && r.Method == http.MethodGet:
		s.tableData(w, p[3]+"."+p[5])
	default:
		notImplemented(w, r)
	}
}

func notImplemented(w http.ResponseWriter, r *http.Request) {
	apiError(w, http.StatusNotImplemented, "notImplemented", "bqfake: unexpected "+r.Method+" "+r.URL.Path)
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// apiError answers as BigQuery does: the code, and a reason the client's
// error carries.
func apiError(w http.ResponseWriter, code int, reason, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": msg,
		"errors": []map[string]string{{"reason": reason, "message": msg}}}})
}

func (s *Server) insertJob(w http.ResponseWriter, r *http.Request, project string) {
	var sent bq.Job
	if err := json.NewDecoder(r.Body).Decode(&sent); err != nil || sent.Configuration == nil || sent.Configuration.Query == nil || sent.JobReference == nil {
		apiError(w, http.StatusBadRequest, "invalid", fmt.Sprintf("bqfake: only query jobs with a job reference: %v", err))
		return
	}
	sent.JobReference.ProjectId = project
	j := &job{Job: Job{ID: sent.JobReference.JobId, SQL: sent.Configuration.Query.Query, DryRun: sent.Configuration.DryRun, Sent: &sent,
		Step: sent.Configuration.Labels["optout_step"], RunID: sent.Configuration.Labels["optout_run_id"], DT: sent.Configuration.Labels["optout_dt"]}}
	for _, qp := range sent.Configuration.Query.QueryParameters {
		v := qp.ParameterValue
		if v != nil && v.ArrayValues == nil && v.StructValues == nil {
			j.Params = append(j.Params, v.Value)
		} else {
			b, _ := json.Marshal(v)
			j.Params = append(j.Params, string(b))
		}
	}
	// The test's functions run without the lock: they may read the server.
	if s.Fail != nil {
		j.Err = s.Fail(j.Job)
	}
	if s.Answer != nil {
		j.result = s.Answer(j.Job)
	}
	s.mu.Lock()
	s.jobs = append(s.jobs, j)
	s.events = append(s.events, Event{Op: "job", Name: j.ID, Job: &j.Job})
	if !j.DryRun && j.Err == "" {
		s.runDDL(j)
	}
	s.mu.Unlock()
	if j.DryRun && j.Err != "" { // a dry run's error is the insert's
		apiError(w, http.StatusBadRequest, j.Err, "fake "+j.Err)
		return
	}
	out := sent
	out.Status = &bq.JobStatus{State: "RUNNING"}
	if j.DryRun {
		out.Status.State = "DONE"
		out.Statistics = &bq.JobStatistics{TotalBytesProcessed: DryRunBytes, Query: &bq.JobStatistics2{Schema: &bq.TableSchema{Fields: j.schema()}}}
	}
	reply(w, &out)
}

// schema is the columns of the job's result (nil: none).
func (j *job) schema() []*bq.TableFieldSchema {
	if j.result == nil {
		return nil
	}
	return j.result.Schema
}

var (
	tableName = "((?:`[^`]+`\\.){1,2}`[^`]+`)"
	createAs  = regexp.MustCompile(`(?m)^CREATE (OR REPLACE )?TABLE (IF NOT EXISTS )?` + tableName + ` AS\s+(SELECT \* FROM ` + tableName + `)?`)
	dropTable = regexp.MustCompile(`DROP TABLE (?:IF EXISTS )?` + tableName)
)

// runDDL applies what a job's CREATE TABLE … AS and DROP TABLE do to the
// catalog. A created table has the columns of the job's Answer, or those
// of the table it selects * from, or one STRING column named value.
func (s *Server) runDDL(j *job) {
	for _, m := range createAs.FindAllStringSubmatch(j.SQL, -1) {
		name := key(m[3])
		if m[2] != "" && s.tables[name] != nil {
			continue
		}
		fields := j.schema()
		if src := s.tables[key(m[5])]; fields == nil && m[5] != "" && src != nil {
			fields = src.Schema.Fields
		}
		if fields == nil {
			fields = []*bq.TableFieldSchema{{Name: "value", Type: "STRING"}}
		}
		s.tables[name] = s.newTable(name, fields)
	}
	for _, m := range dropTable.FindAllStringSubmatch(j.SQL, -1) {
		delete(s.tables, key(m[1]))
	}
}

// key is the dataset.table of a quoted name (`p`.`d`.`t` or `d`.`t`).
func key(quoted string) string {
	parts := strings.Split(strings.Trim(quoted, "`"), "`.`")
	if len(parts) == 3 {
		parts = parts[1:]
	}
	return strings.Join(parts, ".")
}

func (s *Server) find(id string) *job {
	for _, j := range s.jobs {
		if j.ID == id {
			return j
		}
	}
	return nil
}

func (s *Server) queryResults(w http.ResponseWriter, r *http.Request, project, id string) {
	s.mu.Lock()
	j := s.find(id)
	s.mu.Unlock()
	if j == nil {
		apiError(w, http.StatusNotFound, "notFound", "Not found: Job "+id)
		return
	}
	if s.Never {
		reply(w, &bq.GetQueryResultsResponse{JobComplete: false})
		return
	}
	res := &bq.GetQueryResultsResponse{JobComplete: true, JobReference: &bq.JobReference{ProjectId: project, JobId: id},
		Schema: &bq.TableSchema{Fields: j.schema()}}
	var rows [][]any
	if j.result != nil && j.Err == "" {
		rows = j.result.Rows
	}
	res.TotalRows = uint64(len(rows))
	q := r.URL.Query()
	if q.Get("maxResults") == "0" {
		reply(w, res)
		return
	}
	from, _ := strconv.Atoi(q.Get("pageToken"))
	to := len(rows)
	if s.PageSize > 0 && from+s.PageSize < to {
		to = from + s.PageSize
		res.PageToken = strconv.Itoa(to)
	}
	for _, row := range rows[min(from, len(rows)):to] {
		tr := &bq.TableRow{}
		for _, v := range row {
			c := &bq.TableCell{}
			if v != nil {
				c.V = fmt.Sprint(v)
			}
			tr.F = append(tr.F, c)
		}
		res.Rows = append(res.Rows, tr)
	}
	reply(w, res)
}

func (s *Server) getJob(w http.ResponseWriter, id string) {
	s.mu.Lock()
	j := s.find(id)
	s.mu.Unlock()
	if j == nil {
		apiError(w, http.StatusNotFound, "notFound", "Not found: Job "+id)
		return
	}
	out := *j.Sent
	out.Status = &bq.JobStatus{State: "DONE"}
	out.Statistics = &bq.JobStatistics{TotalBytesProcessed: JobBytes, Query: &bq.JobStatistics2{NumDmlAffectedRows: s.DMLRows}}
	if j.Err != "" {
		out.Status.ErrorResult = &bq.ErrorProto{Reason: j.Err, Message: "fake " + j.Err}
	}
	reply(w, &out)
}

func (s *Server) cancelJob(w http.ResponseWriter, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.find(id)
	if j == nil {
		apiError(w, http.StatusNotFound, "notFound", "Not found: Job "+id)
		return
	}
	s.events = append(s.events, Event{Op: "cancel_job", Name: id})
	reply(w, &bq.JobCancelResponse{Job: j.Sent})
}

// Cancelled lists the IDs of the jobs the client cancelled.
func (s *Server) Cancelled() []string {
	var out []string
	for _, e := range s.Events() {
		if e.Op == "cancel_job" {
			out = append(out, e.Name)
		}
	}
	return out
}

func (s *Server) insertDataset(w http.ResponseWriter, r *http.Request, project string) {
	var ds bq.Dataset
	if err := json.NewDecoder(r.Body).Decode(&ds); err != nil || ds.DatasetReference == nil {
		apiError(w, http.StatusBadRequest, "invalid", fmt.Sprintf("bqfake: dataset without a reference: %v", err))
		return
	}
	name := ds.DatasetReference.DatasetId
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.datasets[name] {
		apiError(w, http.StatusConflict, "duplicate", "Already Exists: Dataset "+project+":"+name)
		return
	}
	s.datasets[name] = true
	s.events = append(s.events, Event{Op: "create_dataset", Name: name})
	ds.DatasetReference.ProjectId = project
	reply(w, &ds)
}

// dataset gets or deletes a dataset; the output dataset of a run is
// never created through the API, so any dataset not deleted is there.
func (s *Server) dataset(w http.ResponseWriter, r *http.Request, project, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.Method {
	case http.MethodGet:
		reply(w, &bq.Dataset{DatasetReference: &bq.DatasetReference{ProjectId: project, DatasetId: name}})
	case http.MethodDelete:
		prefix := name + "."
		for t := range s.tables {
			if strings.HasPrefix(t, prefix) {
				if r.URL.Query().Get("deleteContents") != "true" {
					apiError(w, http.StatusBadRequest, "resourceInUse", "Dataset "+name+" is still in use")
					return
				}
				delete(s.tables, t)
			}
		}
		delete(s.datasets, name)
		s.events = append(s.events, Event{Op: "delete_dataset", Name: name})
		w.WriteHeader(http.StatusNoContent)
	default:
		notImplemented(w, r)
	}
}

// Datasets lists the datasets created and deleted, in order: a deleted
// one as "-" and its name.
func (s *Server) Datasets() []string {
	var out []string
	for _, e := range s.Events() {
		switch e.Op {
		case "create_dataset":
			out = append(out, e.Name)
		case "delete_dataset":
			out = append(out, "-"+e.Name)
		}
	}
	return out
}

func (s *Server) insertTable(w http.ResponseWriter, r *http.Request, dataset string) {
	var t bq.Table
	if err := json.NewDecoder(r.Body).Decode(&t); err != nil || t.TableReference == nil {
		apiError(w, http.StatusBadRequest, "invalid", fmt.Sprintf("bqfake: table without a reference: %v", err))
		return
	}
	name := dataset + "." + t.TableReference.TableId
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tables[name] != nil {
		apiError(w, http.StatusConflict, "duplicate", "Already Exists: Table "+name)
		return
	}
	sent := t
	stored := &t
	stored.Kind, stored.Type, stored.Id = "bigquery#table", "TABLE", "proj:"+name
	if stored.Schema == nil {
		stored.Schema = &bq.TableSchema{}
	}
	s.tables[name] = stored
	s.events = append(s.events, Event{Op: "create_table", Name: name, Sent: &sent})
	reply(w, stored)
}

func (s *Server) listTables(w http.ResponseWriter, dataset string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := &bq.TableList{}
	for name, t := range s.tables {
		if strings.HasPrefix(name, dataset+".") {
			list.Tables = append(list.Tables, &bq.TableListTables{Id: t.Id, Kind: t.Kind, Type: t.Type, TableReference: t.TableReference})
		}
	}
	list.TotalItems = int64(len(list.Tables))
	reply(w, list)
}

// tableData answers tabledata.list with TotalRows and no rows.
func (s *Server) tableData(w http.ResponseWriter, name string) {
	s.mu.Lock()
	t := s.tables[name]
	s.mu.Unlock()
	if t == nil {
		apiError(w, http.StatusNotFound, "notFound", "Not found: Table proj:"+name)
		return
	}
	reply(w, &bq.TableDataList{TotalRows: s.TotalRows, Rows: []*bq.TableRow{}})
}

func (s *Server) table(w http.ResponseWriter, r *http.Request, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tables[name]
	if t == nil {
		apiError(w, http.StatusNotFound, "notFound", "Not found: Table proj:"+name)
		return
	}
	switch r.Method {
	case http.MethodGet:
		reply(w, t)
	case http.MethodPatch:
		var sent bq.Table
		if err := json.NewDecoder(r.Body).Decode(&sent); err != nil {
			apiError(w, http.StatusBadRequest, "invalid", err.Error())
			return
		}
		if sent.Clustering != nil {
			t.Clustering = sent.Clustering
		}
		if sent.Description != "" {
			t.Description = sent.Description
		}
		if sent.Schema != nil {
			t.Schema = sent.Schema
		}
		s.events = append(s.events, Event{Op: "patch_table", Name: name, Sent: &sent})
		reply(w, t)
	case http.MethodDelete:
		delete(s.tables, name)
		s.events = append(s.events, Event{Op: "delete_table", Name: name})
		w.WriteHeader(http.StatusNoContent)
	default:
		notImplemented(w, r)
	}
}
