package cli

import (
	"strings"
	"testing"
	"time"
)

// The backfill target of issue 7: 30 days of the demo cost at most 10× one
// day. Each iteration times one day and then the 30 days, each on an empty
// output (one day on an output that already holds D would time a rerun),
// next to each other because this machine's speed drifts more than the
// figure moves; the ratio is of the two sums.
//
//	go test ./cmd/optout/cli -run '^$' -bench 'Demo' -benchtime 5x
func BenchmarkDemoBackfillRatio(b *testing.B) {
	var oneDay, backfill time.Duration
	for i := 0; i < b.N; i++ {
		oneDay += timeDemo(b, "run", "--date", "2026-11-21")
		backfill += timeDemo(b, "backfill", "--from", "2026-10-23", "--to", "2026-11-21")
	}
	n := float64(b.N)
	b.ReportMetric(oneDay.Seconds()/n, "s/one-day")
	b.ReportMetric(backfill.Seconds()/n, "s/backfill-30-days")
	b.ReportMetric(backfill.Seconds()/oneDay.Seconds(), "backfill/one-day")
	b.ReportMetric(0, "ns/op") // the op is both; its time says nothing alone
}

// timeDemo times one optout command on the demo data with an empty output.
func timeDemo(b *testing.B, args ...string) time.Duration {
	b.StopTimer()
	defer b.StartTimer()
	cfg, _ := demoConfig(b, noFreshness)
	args = append(args, "--config", cfg, "--now", "2026-11-22T09:00:00Z")
	start := time.Now()
	code, so, se := run(b, args...)
	took := time.Since(start)
	if code != 0 || !strings.Contains(so, `"status":"succeeded"`) {
		b.Fatalf("optout %s: exit %d\n%s", args[0], code, se)
	}
	return took
}

func noFreshness(s string) string { return strings.Replace(s, ", freshness: 48h", "", 1) }
