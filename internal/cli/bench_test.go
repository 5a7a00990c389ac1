package cli

import (
	"strings"
	"testing"
)

// The backfill target of issue 7: 30 days of the demo cost at most 10× one
// day. Compare:
//
//	go test ./internal/cli -run '^$' -bench 'Demo' -benchtime 3x
func BenchmarkDemoOneDay(b *testing.B) {
	cfg, _ := demoConfig(b, noFreshness)
	for i := 0; i < b.N; i++ {
		if code, _, se := run(b, "run", "--config", cfg, "--date", "2026-11-21", "--now", "2026-11-22T09:00:00Z"); code != 0 {
			b.Fatalf("exit %d\n%s", code, se)
		}
	}
}

func BenchmarkDemoBackfill30Days(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		cfg, _ := demoConfig(b, noFreshness)
		b.StartTimer()
		code, so, se := run(b, "backfill", "--config", cfg, "--from", "2026-10-23", "--to", "2026-11-21", "--now", "2026-11-22T09:00:00Z")
		if code != 0 || !strings.Contains(so, `"status":"succeeded"`) {
			b.Fatalf("exit %d\n%s", code, se)
		}
	}
}

func noFreshness(s string) string { return strings.Replace(s, ", freshness: 48h", "", 1) }
