package duckdb

import (
	"context"
	"strconv"
	"testing"
)

// BenchmarkGoFunctions times each Go function over 1M generated values in
// one query, the call from DuckDB included: ns/value is what normalizing
// one key costs a run (docs/performance.md), on one thread, so that it is
// CPU time and not how the machine shares its cores. builtin, DuckDB's own
// lower(trim(…)) over the same emails, is the yardstick: generating the
// values is in every figure.
//
//	go test -run '^$' -bench GoFunctions -benchtime 3x ./internal/engine/duckdb
func BenchmarkGoFunctions(b *testing.B) {
	const n = 1_000_000
	// about 30 bytes, past DuckDB's 12-byte inline strings, with the case,
	// dots and tag the email rules fold
	email := "' User.' || i || '+Tag@GoogleMail.com '"
	phone := "'(415) 555-' || lpad(CAST(i % 10000 AS VARCHAR), 4, '0')"
	cases := []struct{ name, expr string }{
		{"builtin", "lower(trim(" + email + "))"},
		{"optout_email", "optout_email(" + email + ")"},
		{"optout_phone", "optout_phone(" + phone + ")"},
		{"optout_trim", "optout_trim(" + email + ")"},
	}
	e := openNorm(b)
	ctx := context.Background()
	if _, err := e.conn.ExecContext(ctx, "SET threads = 1"); err != nil {
		b.Fatal(err)
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			q := "SELECT count(" + c.expr + ") FROM range(" + strconv.Itoa(n) + ") t(i)"
			for b.Loop() {
				var got int64
				if err := e.conn.QueryRowContext(ctx, q).Scan(&got); err != nil {
					b.Fatal(err)
				}
				if got != n {
					b.Fatalf("%s: %d keys of %d values", c.name, got, n)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/value")
			b.ReportMetric(0, "ns/op")
		})
	}
}
