package parity

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/optout-dev/optout/internal/testkit/zetasql"
	"github.com/optout-dev/optout/schemas"
	"github.com/optout-dev/optout/transforms"
)

// TestDayBoundariesMatchAcrossZones: a DATE's first instant (a request
// time stored as a DATE) and a day's last microsecond (the ledger's
// deadline) are the same on both engines, also where a daylight-saving
// change skips midnight or makes it come twice: the day starts at its
// first instant there.
func TestDayBoundariesMatchAcrossZones(t *testing.T) {
	srv, _ := zetaServer(t)
	ctx := context.Background()
	_, in := inspectDemo(t, false)
	src := transforms.Source{Fields: []schemas.Field{{Name: "d", Family: schemas.Date}}}
	for _, c := range []struct{ zone, day, start, end string }{
		{"America/Los_Angeles", "2026-11-01", "2026-11-01 07:00:00+00", "2026-11-02 07:59:59.999999+00"},
		{"America/Santiago", "2026-09-06", "2026-09-06 04:00:00+00", "2026-09-07 02:59:59.999999+00"},
		{"America/Havana", "2026-11-01", "2026-11-01 04:00:00+00", "2026-11-02 04:59:59.999999+00"},
		{"America/Havana", "2026-10-31", "2026-10-31 04:00:00+00", "2026-11-01 03:59:59.999999+00"},
	} {
		for _, d := range []transforms.Dialect{transforms.DuckDB, transforms.BigQuery} {
			tz := d.Literal(c.zone)
			q := "SELECT CAST(" + d.Instant(src, "d", tz) + " AS STRING) AS s, CAST(" + d.EndOfDay(d.Ident("d"), tz) + " AS STRING) AS e FROM (SELECT DATE " + d.Literal(c.day) + " AS d) AS t"
			var got string
			if d == transforms.DuckDB {
				rows := query(t, in.Engine, strings.ReplaceAll(q, "AS STRING", "AS VARCHAR"))
				got = fmt.Sprint(rows[0]["s"], " ", rows[0]["e"])
			} else {
				res, err := bigQueryRows(ctx, srv, q, nil, zetasql.Catalog{}, nil)
				if err != nil {
					t.Fatal(err)
				}
				got = strings.NewReplacer(`("`, "", `")`, "", `", "`, " ").Replace(strings.Join(res.rows, ""))
			}
			if want := c.start + " " + c.end; got != want {
				t.Errorf("%s %s on %v: starts and ends at %s, want %s", c.zone, c.day, d, got, want)
			}
		}
	}
}
