package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/internal/exit"
	"github.com/optout-dev/optout/internal/testpoint"
	"github.com/optout-dev/optout/transforms"
)

// Planned is what a run for D would execute.
type Planned struct {
	Phases transforms.Phases
	// Estimates are, on BigQuery, the dry runs' byte estimates: the
	// copies of the inputs first, then each step.
	Estimates []engine.Estimate
	// Where is the output the run would publish to, for people.
	Where string
	// WriteBack are the statements that would then write the flags onto
	// the customers table WriteBackTable (write_back: true), not dry run:
	// they read the published flags.
	WriteBack      []transforms.Step
	WriteBackTable string
}

// InputScan is one input's reads in a run.
type InputScan struct {
	Input string
	// Reads are the statements that read the input, in run order, with
	// their dry-run bytes on BigQuery (0 elsewhere): the copy into the
	// scratch dataset first, then every step whose template named the
	// input's relation. A step's bytes are its whole query's, the small
	// tables it joins included.
	Reads []engine.Estimate
}

// InputScans lists, per input in order of first read, the statements of
// the plan that read it: what each input costs a run (the BigQuery bill is
// by bytes scanned).
func (p Planned) InputScans() []InputScan {
	bytes := map[string]int64{}
	var scans []InputScan
	at := map[string]int{}
	add := func(view string, e engine.Estimate) {
		input, ok := strings.CutPrefix(view, inputView(""))
		if !ok {
			return
		}
		i, seen := at[input]
		if !seen {
			i = len(scans)
			at[input] = i
			scans = append(scans, InputScan{Input: input})
		}
		scans[i].Reads = append(scans[i].Reads, e)
	}
	for _, e := range p.Estimates {
		bytes[e.Step] += e.Bytes
		if e.Copies != "" {
			add(e.Copies, e)
		}
	}
	for _, s := range append(append([]transforms.Step{}, p.Phases.Validate...), p.Phases.Transform...) {
		for _, rel := range slices.Compact(slices.Sorted(slices.Values(s.Reads))) {
			add(rel, engine.Estimate{Step: s.Name, Bytes: bytes[s.Name]})
		}
	}
	return scans
}

// Plan returns the steps a run for D would execute, without running them.
// On DuckDB it reads and checks every input. On BigQuery every query is a
// dry run (the scratch dataset holds empty tables of the steps' schemas
// meanwhile), and a step estimated over bigquery.max_bytes_billed is an
// error, returned with the plan.
func Plan(ctx context.Context, o RunOptions) (Planned, error) {
	// A plan prints what a run with this now would do, and such a run is
	// refused.
	if err := nowNotAhead(o.Now, time.Now()); err != nil {
		return Planned{}, err
	}
	r := newInspection(o)
	r.dry = true
	if err := r.open(ctx); err != nil {
		return Planned{}, err
	}
	defer r.close()
	if err := r.eng.Settle(ctx, false); err != nil {
		return Planned{}, err
	}
	if err := r.begin(ctx); err != nil {
		return Planned{}, err
	}
	defer r.stage.Discard()
	phases, _, err := r.prepare(ctx)
	p := Planned{Phases: phases, Where: r.eng.Where()}
	if in := r.cfg.Inputs.Customers; err == nil && in != nil && in.WriteBack {
		p.WriteBackTable = in.Table
		p.WriteBack, err = r.eng.WriteBackSteps(ctx, in.Table, r.dt)
	}
	if err != nil || r.eng.Estimates() == nil { // an engine that bills nothing: the plan is the steps
		return p, err
	}
	err = r.dryRunTransform(ctx, phases)
	p.Estimates = r.eng.Estimates()
	if err != nil {
		return p, err
	}
	return p, overCap(p.Estimates, r.cfg.BigQuery.MaxBytesBilled)
}

// dryRunTransform sends the Transform steps and the Cloud Storage writes
// as dry runs, staging the outputs as a run would.
func (r *run) dryRunTransform(ctx context.Context, phases transforms.Phases) error {
	for _, s := range phases.Transform {
		var err error
		if s.Kind == transforms.Output {
			if s.Target, err = r.stage.Target(s); err != nil {
				return err
			}
		}
		if _, _, err := r.eng.Run(ctx, s); err != nil {
			return err
		}
		if s.Name == transforms.HistoryFromStep {
			// A dry run has no rows: the history tables are made empty
			// (no day needed), for the notifications' dry run to name.
			if err := r.readHistoryFrom(ctx, []engine.Row{{"history_from": nil}}); err != nil {
				return err
			}
		}
		if s.Kind == transforms.Output {
			if err := r.stage.Written(ctx, s); err != nil {
				return err
			}
		}
	}
	// A dry engine's publish sends its Cloud Storage writes as dry runs
	// and stops there.
	return r.stage.Publish(ctx, transforms.Step{})
}

// overCap names the steps a run could not execute under the byte cap.
func overCap(estimates []engine.Estimate, maxBytes int64) error {
	if maxBytes <= 0 {
		return nil
	}
	var over []string
	for _, e := range estimates {
		if e.Bytes > maxBytes {
			over = append(over, fmt.Sprintf("%s (%d bytes)", e.Step, e.Bytes))
		}
	}
	if len(over) == 0 {
		return nil
	}
	return exit.With(exit.Failed, fmt.Errorf("%d steps would bill more than bigquery.max_bytes_billed (%d bytes), and a run would fail at the first of them before publishing anything: %s; raise the cap or check the inputs",
		len(over), maxBytes, strings.Join(over, ", ")))
}

// Explanation is everything about one person as of D (optout explain).
type Explanation struct {
	Subject map[string]string `json:"subject"`
	// Verdict is one line, drawn from the sections below: what the person
	// is opted out of (or in to), since when and through which request,
	// and what became of their export rows; or that nothing matches.
	Verdict   string       `json:"verdict"`
	Keys      []engine.Row `json:"keys"`
	Customers []engine.Row `json:"matched_customers"`
	Requests  []engine.Row `json:"counted_requests"`
	Uncounted []engine.Row `json:"uncounted_requests"`
	State     []engine.Row `json:"state_by_category"`
	Exports   []engine.Row `json:"export_rows"`
	// Published: a run of D has published its outputs. Explain computes
	// D from the inputs as they are now; the verdict says when those
	// outputs did not count a request that counts now. PublishedAt: the
	// now of the latest run that published them.
	Published   bool      `json:"published"`
	PublishedAt time.Time `json:"published_at,omitzero"`
}

// RequestExplanation is one request's life as of D (optout explain
// --request-id).
type RequestExplanation struct {
	Subject map[string]string `json:"subject"`
	Verdict string            `json:"verdict"`
	// Life is the request in one row (explain_request): received, counted
	// or why not, first enforced, deadline, SLA status; nil when no
	// request row and no ledger entry has the id.
	Life     engine.Row   `json:"request"`
	Rows     []engine.Row `json:"request_rows"`
	Notified []engine.Row `json:"third_parties_notified"`
}

// Inspection is D's tables as a run computes them, writing nothing: the
// Validate phase and every temporary table of the Transform phase, in an
// engine left open for the caller to query and close.
type Inspection struct {
	Engine engine.Engine
	Plan   transforms.Plan
	Phases transforms.Phases
	// Published: a run of D has published its outputs, the latest at
	// PublishedAt (its now).
	Published   bool
	PublishedAt time.Time
}

// Inspect computes D's temporary tables.
func Inspect(ctx context.Context, o RunOptions) (*Inspection, error) {
	r := newInspection(o)
	if err := r.open(ctx); err != nil {
		return nil, err
	}
	err := r.eng.Settle(ctx, false)
	if err == nil {
		err = r.begin(ctx)
	}
	var phases transforms.Phases
	var plan transforms.Plan
	if err == nil {
		defer r.stage.Discard()
		phases, plan, err = r.prepare(ctx)
	}
	if err == nil {
		for _, s := range phases.Transform {
			if s.Kind == transforms.Temp {
				_, _, err = r.eng.Run(ctx, s)
			} else if s.Name == transforms.HistoryFromStep {
				err = r.step(ctx, s) // the history views read what a run's would
			}
			if err != nil {
				break
			}
		}
	}
	if err != nil {
		r.close()
		return nil, err
	}
	return &Inspection{Engine: r.eng, Plan: plan, Phases: phases, Published: r.ran[r.dt], PublishedAt: r.publishedAt}, nil
}

// Explain computes D's tables as a run would, writing nothing, and reports
// on the person with identifier value of kind (email, phone, customer_id).
func Explain(ctx context.Context, o RunOptions, kind, value string) (Explanation, error) {
	ex := Explanation{Subject: map[string]string{"kind": kind, "dt": o.Date.Format(time.DateOnly)}}
	rows, err := explainRows(ctx, o, func(in *Inspection) ([]transforms.Step, error) {
		ex.Published, ex.PublishedAt = in.Published, in.PublishedAt
		return in.Plan.ExplainSteps(kind, value)
	})
	if err != nil {
		return ex, err
	}
	ex.Keys, ex.Customers, ex.Requests = rows["explain_keys"], rows["explain_customers"], rows["explain_requests"]
	ex.Uncounted, ex.State, ex.Exports = rows["explain_uncounted"], rows["explain_state"], rows["explain_exports"]
	ex.Verdict = personVerdict(ex, kind, o.Config.Location)
	return ex, nil
}

// ExplainRequest computes D's tables as a run would, writing nothing, and
// reports on the request with id requestID: its rows, whether a run for D
// counts it, its ledger entry and the third parties told of it (the
// published third_party_notifications, of every date).
func ExplainRequest(ctx context.Context, o RunOptions, requestID string) (RequestExplanation, error) {
	ex := RequestExplanation{Subject: map[string]string{"kind": "request_id", "dt": o.Date.Format(time.DateOnly)}}
	rows, err := explainRows(ctx, o, func(in *Inspection) ([]transforms.Step, error) {
		published, err := in.Engine.ReadPublished(ctx, transforms.PublishedNotifications, "third_party_notifications", "")
		if err != nil {
			return nil, err
		}
		return in.Plan.ExplainRequestSteps(requestID, published)
	})
	if err != nil {
		return ex, err
	}
	if life := rows["explain_request"]; len(life) > 0 {
		ex.Life = life[0]
	}
	ex.Rows, ex.Notified = rows["explain_request_rows"], rows["explain_notified"]
	ex.Verdict = requestVerdict(ex, requestID, o.Config.Location)
	return ex, nil
}

// explainRows computes D's temporary tables, then runs the steps steps
// renders from the inspection: each section's temp table, then its rows
// read back in order (a Check step, by section name).
func explainRows(ctx context.Context, o RunOptions, steps func(*Inspection) ([]transforms.Step, error)) (map[string][]engine.Row, error) {
	in, err := Inspect(ctx, o)
	if err != nil {
		return nil, err
	}
	if o.Engine == nil {
		defer in.Engine.Close()
	}
	list, err := steps(in)
	if err != nil {
		return nil, err
	}
	out := map[string][]engine.Row{}
	for _, s := range list {
		_, rows, err := in.Engine.Run(ctx, s)
		if err != nil {
			return nil, err
		}
		if s.Kind == transforms.Check {
			out[s.Table] = rows
		}
	}
	return out, nil
}

// newInspection is a run that reads and computes but never publishes.
func newInspection(o RunOptions) *run {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	r := newRun(o, testpoint.None)
	r.log = o.Log
	r.keepTables = true
	return r
}
