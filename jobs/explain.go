package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/transforms"
)

// Plan reads and checks every input for D and returns the steps a run for
// D would execute, without running them.
func Plan(ctx context.Context, o RunOptions) (transforms.Phases, error) {
	r := newInspection(o)
	if err := r.open(ctx); err != nil {
		return transforms.Phases{}, err
	}
	defer r.eng.Close()
	phases, _, err := r.prepare(ctx)
	return phases, err
}

// Explanation is everything about one person as of D (optout explain).
type Explanation struct {
	Subject   map[string]string `json:"subject"`
	Keys      []engine.Row      `json:"keys"`
	Customers []engine.Row      `json:"matched_customers"`
	Requests  []engine.Row      `json:"counted_requests"`
	State     []engine.Row      `json:"state_by_category"`
	Exports   []engine.Row      `json:"export_rows"`
}

// Inspection is D's tables as a run computes them, writing nothing: the
// Validate phase and every temporary table of the Transform phase, in an
// engine left open for the caller to query and close.
type Inspection struct {
	Engine engine.Engine
	Plan   transforms.Plan
	Phases transforms.Phases
}

// Inspect computes D's temporary tables.
func Inspect(ctx context.Context, o RunOptions) (*Inspection, error) {
	r := newInspection(o)
	if err := r.open(ctx); err != nil {
		return nil, err
	}
	phases, plan, err := r.prepare(ctx)
	if err == nil {
		for _, s := range phases.Transform {
			if s.Kind == transforms.Temp {
				if _, _, err = r.eng.Run(ctx, s); err != nil {
					break
				}
			}
		}
	}
	if err != nil {
		r.close()
		return nil, err
	}
	return &Inspection{Engine: r.eng, Plan: plan, Phases: phases}, nil
}

// Explain computes D's tables as a run would, writing nothing, and reports
// on the person with identifier value of kind (email, phone, customer_id).
func Explain(ctx context.Context, o RunOptions, kind, value string) (Explanation, error) {
	ex := Explanation{Subject: map[string]string{"kind": kind, "dt": o.Date.Format(time.DateOnly)}}
	in, err := Inspect(ctx, o)
	if err != nil {
		return ex, err
	}
	if o.Engine == nil {
		defer in.Engine.Close()
	}
	steps, err := in.Plan.ExplainSteps(kind, value)
	if err != nil {
		return ex, err
	}
	sections := map[string]*[]engine.Row{"explain_keys": &ex.Keys, "explain_customers": &ex.Customers,
		"explain_requests": &ex.Requests, "explain_state": &ex.State, "explain_exports": &ex.Exports}
	for _, s := range steps {
		if _, _, err := in.Engine.Run(ctx, s); err != nil {
			return ex, err
		}
		read := transforms.Step{Name: "read_" + s.Name, Kind: transforms.Check, SQL: "SELECT * FROM " + transforms.Ident(transforms.TempName(s.Table))}
		_, rows, err := in.Engine.Run(ctx, read)
		if err != nil {
			return ex, err
		}
		*sections[s.Name] = rows
	}
	return ex, nil
}

// newInspection is a run that reads and computes but never publishes.
func newInspection(o RunOptions) *run {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	r := &run{o: o, cfg: o.Config, id: newRunID(o.Date), dt: o.Date.Format(time.DateOnly), hook: func(string) {}, exportDirs: map[string]string{}}
	r.log = o.Log
	return r
}
