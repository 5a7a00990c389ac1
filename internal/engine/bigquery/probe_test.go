//go:build bqemulator

package bigquery

import (
	"context"
	"testing"
	"time"

	"github.com/optout-dev/optout/transforms"
)

func TestProbe(t *testing.T) {
	c := emulator(t)
	ctx := context.Background()
	macros, _ := transforms.MacrosStep(transforms.BigQuery)
	run := func(name, sql string) {
		start := time.Now()
		res, err := c.Query(ctx, "p", macros.SQL+"\n"+sql)
		msg := ""
		if err != nil {
			msg = err.Error()
			msg = msg[max(0, len(msg)-80):]
		}
		t.Logf("%s %.1fs -> %v %s", name, time.Since(start).Seconds(), res.Rows, msg)
	}
	run("pre", "SELECT ARRAY(SELECT k FROM UNNEST([STRUCT('email' AS kind, e AS value), STRUCT('email_sha256', f), STRUCT('phone', p)]) k WHERE k.value IS NOT NULL) AS keys FROM (SELECT optout_email(x) AS e, optout_email_folded_sha(x) AS f, optout_phone(x) AS p FROM UNNEST(['A@b.com']) x)")
	run("pre-star", "SELECT *, ARRAY(SELECT k FROM UNNEST([STRUCT('email' AS kind, _k0 AS value), STRUCT('phone', _k1)]) k WHERE k.value IS NOT NULL) AS keys FROM (SELECT *, optout_email(x) AS _k0, optout_phone(x) AS _k1 FROM (SELECT x FROM UNNEST(['A@b.com']) x))")
}
