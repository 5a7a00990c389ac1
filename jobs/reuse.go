package jobs

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"

	"github.com/optout-dev/optout/transforms"
)

// tableCache remembers, across the dates of one backfill (one engine), the
// temporary tables of steps that read one input alone (Step.OnlyInput) or
// only tables so kept (Step.OnlyTables), each with the fingerprint it was
// made from: its SQL, its arguments and the size and modification time of
// every file of its input, or the fingerprints of the tables it reads. A
// later date whose step has the same fingerprint keeps the table — the
// normalized customers, links, traffic and export rows and the customer
// keys are computed once per backfill, not once per date. Anything that
// changes (a file rewritten, a date-dependent argument, a table it reads
// made again) changes the fingerprint, and the step runs.
type tableCache struct {
	made map[string]string // table → fingerprint
}

func newTableCache() *tableCache { return &tableCache{made: map[string]string{}} }

// fingerprint is the key of step s's table in r, or "" when s's table may
// not be reused: no cache (not a backfill), a step that reads anything
// else, or an input that is not files (a warehouse table).
func (r *run) fingerprint(s transforms.Step) string {
	if r.o.tables == nil || s.Kind != transforms.Temp || s.OnlyInput == "" && len(s.OnlyTables) == 0 {
		return ""
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%#v\x00", s.Table, s.SQL, s.Args)
	for _, t := range s.OnlyTables {
		fp := r.o.tables.made[t]
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

// reused reports whether a backfill kept step s's table from an earlier
// date, recording the step as reused; if not, fp is what to note once s
// has made its table.
func (r *run) reused(s transforms.Step) (fp string, ok bool) {
	fp = r.fingerprint(s)
	if !r.o.tables.reusable(s, fp) {
		r.o.tables.note(s, "") // until it succeeds
		return fp, false
	}
	r.rec.Steps = append(r.rec.Steps, transforms.StepTime{Step: s.Name + " (reused)"})
	r.log.Debug("step reused: same SQL over the same inputs as an earlier date", "step", s.Name)
	return fp, true
}

// reusable reports whether the table of step s, with fingerprint fp, is
// already in the engine.
func (c *tableCache) reusable(s transforms.Step, fp string) bool {
	return c != nil && fp != "" && c.made[s.Table] == fp
}

// note records that step s made its table with fingerprint fp (or, with
// fp "", that the table is not one to keep).
func (c *tableCache) note(s transforms.Step, fp string) {
	if c == nil || s.Kind != transforms.Temp {
		return
	}
	if fp == "" {
		delete(c.made, s.Table)
		return
	}
	c.made[s.Table] = fp
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
