package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/optout-dev/optout/internal/engine"
	"github.com/optout-dev/optout/transforms"
)

// tableCache remembers, across the dates of one backfill (one engine),
// what the steps that read one input alone (Step.OnlyInput), only tables
// so kept (Step.OnlyTables) or nothing at all (Step.ReadsNothing) made,
// each with the fingerprint it was made from: its SQL, its arguments and
// the size and modification time of every file of its input, or the
// fingerprints of the tables it reads. A temporary table or a setup stays
// in the engine; a check's rows are kept here. A later date whose step has
// the same fingerprint keeps them — the normalized customers, links,
// traffic and export rows, their row counts, the calendar and the macros
// are computed once per backfill, not once per date. Anything that
// changes (a file rewritten, a date-dependent argument, a table it reads
// made again) changes the fingerprint, and the step runs.
type tableCache struct {
	made map[string]made // cacheKey → what the step made
}

// made is what a step made: its fingerprint and, for a check, its rows;
// for an output, the output as its run published it and its row count.
type made struct {
	fp   string
	rows []engine.Row
	kept engine.Kept
	n    int64
}

func newTableCache() *tableCache { return &tableCache{made: map[string]made{}} }

// cacheKey names what step s makes: its temporary table (the name later
// steps read it by), or, for a check, a setup or an output, the step.
func cacheKey(s transforms.Step) string {
	if s.Kind == transforms.Temp {
		return s.Table
	}
	return s.Kind.String() + ":" + s.Name
}

// fingerprint identifies what step s makes in r, or is "" when that may
// not be reused: no cache (not a backfill), a step that reads anything
// else, or an input that is not files (a warehouse table).
func (r *run) fingerprint(s transforms.Step) string {
	if r.o.tables == nil || s.OnlyInput == "" && len(s.OnlyTables) == 0 && !s.ReadsNothing {
		return ""
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%#v\x00", cacheKey(s), s.SQL, s.Args)
	for _, t := range s.OnlyTables {
		fp := r.o.tables.made[t].fp
		if fp == "" { // not a kept table
			return ""
		}
		fmt.Fprintf(h, "%s\x00%s\x00", t, fp)
	}
	if s.OnlyInput == "" {
		return hex.EncodeToString(h.Sum(nil))
	}
	// The input's files as this run listed them (stamps.go), which the run
	// checks are still the files it read.
	files := 0
	for _, in := range r.stamps {
		if in.Input != s.OnlyInput {
			continue
		}
		if in.Version == nil { // a table
			return ""
		}
		fmt.Fprintf(h, "%s\x00%+v\x00", in.File, *in.Version)
		files++
	}
	if files == 0 {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

// reusedSuffix marks a reused step's name in the runs row's steps.
const reusedSuffix = " (reused)"

// runKept runs step s with do, unless a backfill kept what s makes from an
// earlier date: then it records the step as reused and returns the rows
// kept (a check's). What s makes is kept for later dates when it may be.
func (r *run) runKept(ctx context.Context, s transforms.Step, do func(context.Context, transforms.Step) ([]engine.Row, error)) ([]engine.Row, error) {
	r.stepStarted(s.Name)
	fp := r.fingerprint(s)
	if m, ok := r.o.tables.lookup(s, fp); ok && (s.Kind != transforms.Output || r.copyOutput(s, m)) {
		r.rec.Steps = append(r.rec.Steps, transforms.StepTime{Step: s.Name + reusedSuffix})
		r.log.Debug("step reused: same SQL over the same inputs as an earlier date", "step", s.Name)
		return m.rows, nil
	}
	r.o.tables.note(s, made{}) // until it succeeds
	rows, err := do(ctx, s)
	if err != nil {
		return nil, err
	}
	m := made{fp: fp}
	switch s.Kind {
	case transforms.Check:
		m.rows = rows
	case transforms.Output:
		if fp != "" {
			m = r.written(s, m)
		}
	}
	r.o.tables.note(s, m)
	return rows, nil
}

// written adds to m the output step s wrote, as the engine keeps it for
// a later date, and its row count.
func (r *run) written(s transforms.Step, m made) made {
	k, ok := r.stage.Kept(s)
	last := len(r.rec.Outputs) - 1
	if !ok || last < 0 || r.rec.Outputs[last].Table != s.Table {
		return made{} // not kept
	}
	m.kept, m.n = k, r.rec.Outputs[last].Rows
	return m
}

// copyOutput writes the output m of an earlier date to output step s's
// target, as the step would have written it. It reports false, and
// leaves the step to run, when that output is gone or changed.
func (r *run) copyOutput(s transforms.Step, m made) bool {
	if !r.stage.Reuse(s, m.kept) {
		return false
	}
	r.rec.Outputs = append(r.rec.Outputs, transforms.OutputCount{Table: s.Table, Rows: m.n})
	return true
}

// lookup returns what step s made with fingerprint fp, if it is kept.
func (c *tableCache) lookup(s transforms.Step, fp string) (made, bool) {
	if c == nil || fp == "" {
		return made{}, false
	}
	m, ok := c.made[cacheKey(s)]
	return m, ok && m.fp == fp
}

// note records what step s made (or, with no fingerprint, that it is not
// one to keep).
func (c *tableCache) note(s transforms.Step, m made) {
	if c == nil {
		return
	}
	if m.fp == "" {
		delete(c.made, cacheKey(s))
		return
	}
	c.made[cacheKey(s)] = m
}

// kept reports whether table is one the cache keeps for later dates: it
// must not be dropped early.
func (c *tableCache) kept(table string) bool {
	if c == nil {
		return false
	}
	_, ok := c.made[table]
	return ok
}
