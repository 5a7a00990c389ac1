package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"

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
// traffic and export rows, their row counts, the customer keys, the
// calendar and the macros are computed once per backfill, not once per
// date. Anything that changes (a file rewritten, a date-dependent
// argument, a table it reads made again) changes the fingerprint, and the
// step runs.
type tableCache struct {
	made map[string]made // cacheKey → what the step made
}

// made is what a step made: its fingerprint and, for a check, its rows.
type made struct {
	fp   string
	rows []engine.Row
}

func newTableCache() *tableCache { return &tableCache{made: map[string]made{}} }

// cacheKey names what step s makes: its temporary table (the name later
// steps read it by), or, for a check or a setup, the step. Outputs are
// not kept: each date writes its own.
func cacheKey(s transforms.Step) string {
	switch s.Kind {
	case transforms.Temp:
		return s.Table
	case transforms.Check, transforms.Setup:
		return s.Kind.String() + ":" + s.Name
	}
	return ""
}

// fingerprint is the key of step s's table in r, or "" when s's table may
// not be reused: no cache (not a backfill), a step that reads anything
// else, or an input that is not files (a warehouse table).
func (r *run) fingerprint(s transforms.Step) string {
	if r.o.tables == nil || cacheKey(s) == "" || s.OnlyInput == "" && len(s.OnlyTables) == 0 && !s.ReadsNothing {
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
	files := 0
	for _, in := range r.rec.Inputs {
		if in.Input != s.OnlyInput {
			continue
		}
		st, err := os.Stat(in.File)
		if err != nil {
			return ""
		}
		fmt.Fprintf(h, "%s\x00%d\x00%d\x00", in.File, st.Size(), st.ModTime().UnixNano())
		files++
	}
	if files == 0 {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

// runKept runs step s with do, unless a backfill kept what s makes from an
// earlier date: then it records the step as reused and returns the rows
// kept (a check's). What s makes is kept for later dates when it may be.
func (r *run) runKept(ctx context.Context, s transforms.Step, do func(context.Context, transforms.Step) ([]engine.Row, error)) ([]engine.Row, error) {
	fp := r.fingerprint(s)
	if m, ok := r.o.tables.lookup(s, fp); ok {
		r.rec.Steps = append(r.rec.Steps, transforms.StepTime{Step: s.Name + " (reused)"})
		r.log.Debug("step reused: same SQL over the same inputs as an earlier date", "step", s.Name)
		return m.rows, nil
	}
	r.o.tables.note(s, made{}) // until it succeeds
	rows, err := do(ctx, s)
	if err != nil {
		return nil, err
	}
	m := made{fp: fp}
	if s.Kind == transforms.Check {
		m.rows = rows
	}
	r.o.tables.note(s, m)
	return rows, nil
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
	key := cacheKey(s)
	if c == nil || key == "" {
		return
	}
	if m.fp == "" {
		delete(c.made, key)
		return
	}
	c.made[key] = m
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
