package engine

import "testing"

// A per-date output's own dt column has a name of its own, dt being the
// run's date (BigQuery's partition column, DuckDB's folder); the others
// have none (BigQuery's publish refuses one then).
func TestOwnDate(t *testing.T) {
	for table, want := range map[string]string{"third_party_notifications": "export_dt", "quarantine/web_form": "input_dt", "customers_flagged": "", "exports/ads": ""} {
		if got := OwnDate(table); got != want {
			t.Errorf("OwnDate(%s) = %q, want %q", table, got, want)
		}
	}
}
