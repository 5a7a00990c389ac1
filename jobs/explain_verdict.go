package jobs

import (
	"fmt"
	"strings"
	"time"

	"github.com/optout-dev/optout/internal/engine"
)

// The verdicts of optout explain: one line, for a privacy officer, made
// only from the rows the explanation shows below it. Dates are days in the
// config's timezone, the zone whose days the logical dates are.

// personVerdict says what the person is opted out of (or in to), since
// when and through which request, and what became of their export rows;
// or, when no row of D carries their keys, that nothing matches.
func personVerdict(ex Explanation, kind string, loc *time.Location) string {
	what := strings.ReplaceAll(kind, "_", " ")
	nothing := fmt.Sprintf("no customer, request or export row of %s has this %s", ex.Subject["dt"], what)
	if len(ex.Keys) == 0 {
		return nothing + fmt.Sprintf(" (it is not a valid %s, so no key comes from it)", what)
	}
	if len(ex.Customers)+len(ex.Requests)+len(ex.Uncounted)+len(ex.Exports) == 0 {
		return nothing
	}
	parts := stateClauses(ex.State, loc)
	if len(ex.State) == 0 {
		parts = []string{"not opted out: no request covers this person"}
	}
	parts = append(parts, exportClause(ex.Exports, ex.Subject["dt"]))
	if n := len(ex.Uncounted); n > 0 {
		parts = append(parts, fmt.Sprintf("%s on their keys not counted", plural(n, "request", "requests")))
	}
	if c := publishedClause(ex); c != "" {
		parts = append(parts, c)
	}
	return strings.Join(parts, "; ")
}

// publishedClause says when the above is not what D's published outputs
// hold: explain computes D from the inputs as they are now, and a request
// that reached the log after D's latest run counts for D now although
// that run did not count it (its exports went out with the person). The
// published ledger tells: such a request was first enforced after that
// run's now, or not yet. (One first enforced by a later date's run and
// counted by a rerun of D after it was in D's outputs.)
func publishedClause(ex Explanation) string {
	dt := ex.Subject["dt"]
	if !ex.Published {
		return "no run of " + dt + " has published outputs: this is what one would publish"
	}
	var late []string
	for _, r := range ex.Requests {
		at, enforced := r["first_enforced_at"].(time.Time)
		switch {
		case !enforced:
			late = append(late, str(r["request_id"])+" (not yet enforced)")
		case !ex.PublishedAt.IsZero() && at.After(ex.PublishedAt):
			late = append(late, str(r["request_id"])+" (first enforced on "+str(r["first_enforced_date"])+")")
		}
	}
	if len(late) == 0 {
		return ""
	}
	noun := "request "
	if len(late) > 1 {
		noun = "requests "
	}
	return fmt.Sprintf("the outputs published for %s did not count %s%s, which reached the log after its run: they may differ from the above", dt, noun, andList(late))
}

// stateClauses groups the categories by state, since-day and request, in
// category order, opt-outs first: "opted out of advertising and analytics
// since 2026-10-05 through request R".
func stateClauses(state []engine.Row, loc *time.Location) []string {
	type group struct {
		state, since, request string
		categories            []string
	}
	var groups []*group
	for _, want := range []string{"opt_out", "opt_in"} {
		for _, r := range state {
			if str(r["state"]) != want {
				continue
			}
			g := &group{state: want, since: localDay(r["since"], loc), request: str(r["since_request_id"])}
			found := false
			for _, h := range groups {
				if h.state == g.state && h.since == g.since && h.request == g.request {
					h.categories, found = append(h.categories, str(r["category"])), true
				}
			}
			if !found {
				g.categories = []string{str(r["category"])}
				groups = append(groups, g)
			}
		}
	}
	var out []string
	for _, g := range groups {
		verb := "opted out of "
		if g.state == "opt_in" {
			verb = "opted in to "
		}
		out = append(out, fmt.Sprintf("%s%s since %s through request %s", verb, andList(g.categories), g.since, g.request))
	}
	return out
}

// exportClause counts the exports in which the person's rows were
// suppressed, kept or quarantined.
func exportClause(rows []engine.Row, dt string) string {
	if len(rows) == 0 {
		return "in no export of " + dt
	}
	seen := map[string]map[string]bool{}
	for _, r := range rows {
		outcome, _, _ := strings.Cut(str(r["decision"]), ":")
		if seen[outcome] == nil {
			seen[outcome] = map[string]bool{}
		}
		seen[outcome][str(r["export"])] = true
	}
	var parts []string
	for _, o := range []struct{ outcome, words string }{{"suppressed", "suppressed from"}, {"kept", "kept in"}, {"quarantined", "quarantined in"}} {
		if n := len(seen[o.outcome]); n > 0 {
			parts = append(parts, o.words+" "+plural(n, "export", "exports"))
		}
	}
	return strings.Join(parts, ", ")
}

// requestVerdict sums up a request's life: what it asked, whether a run for
// D counts it, when it was first enforced, its SLA and the third parties
// told of it.
func requestVerdict(ex RequestExplanation, id string, loc *time.Location) string {
	dt := ex.Subject["dt"]
	l := ex.Life
	if l == nil {
		return fmt.Sprintf("no request row of %s, nor the request ledger, has request_id %s", dt, id)
	}
	head := fmt.Sprintf("request %s", str(l["request_id"]))
	if t := str(l["request_type"]); t != "" {
		head += fmt.Sprintf(" (%s of %s, received %s via %s)", t, str(l["categories"]), localDay(l["received_at"], loc), str(l["source"]))
	} else if d := localDay(l["received_at"], loc); d != "" {
		head += fmt.Sprintf(" (received %s)", d)
	}
	parts := []string{head + ": " + countedClause(l, dt)}
	switch {
	case str(l["first_enforced_date"]) != "":
		parts = append(parts, "first enforced on "+str(l["first_enforced_date"]))
	case l["enforced_by_next_run"] == true:
		parts = append(parts, "not yet enforced: no published run has counted it; a run for "+dt+" would")
	default:
		parts = append(parts, "not enforced")
	}
	if s := str(l["sla_status"]); s != "" {
		parts = append(parts, fmt.Sprintf("SLA %s (deadline %s)", s, localDay(l["deadline"], loc)))
	}
	if n := len(ex.Notified); n > 0 {
		parts = append(parts, plural(n, "third-party notification", "third-party notifications"))
	} else {
		parts = append(parts, "no third party notified")
	}
	return strings.Join(parts, "; ")
}

func countedClause(l engine.Row, dt string) string {
	if l["counted"] == true {
		return "counted as of " + dt
	}
	return "not counted as of " + dt + ": " + str(l["not_counted_because"])
}

// localDay is a timestamp's day in loc ("" for none).
func localDay(v any, loc *time.Location) string {
	t, ok := v.(time.Time)
	if !ok {
		return ""
	}
	return t.In(loc).Format(time.DateOnly)
}

func andList(xs []string) string {
	if len(xs) < 2 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
