package cli

import (
	"database/sql"
	"html"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/optout-dev/optout/internal/report"
)

func TestReportOfTheDemo(t *testing.T) {
	cfg, out := demoConfig(t, nil)
	if code, _, se := run(t, append([]string{"run", "--config", cfg}, demoRun...)...); code != 0 {
		t.Fatalf("run: exit %d\n%s", code, se)
	}
	html := filepath.Join(t.TempDir(), "dash.html")
	code, so, se := run(t, "report", "--config", cfg, "--date", "2026-11-21", "--out", html)
	if code != 0 || !strings.Contains(so, html) {
		t.Fatalf("report: exit %d\n%s%s", code, so, se)
	}
	b, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	// Self-contained: nothing is fetched.
	if m := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//`).FindString(page); m != "" {
		t.Errorf("the dashboard references an outside resource: %s", m)
	}
	for _, want := range []string{"November 2026 at a glance", "Open requests, most urgent first", "SLA breaches by month",
		"Monthly requests", "Processing time", "Opt-out rate by traffic source", "Export suppression",
		"Categories chosen", "Geography", "11 CCR §7102", "meta_audience"} {
		if !strings.Contains(page, want) {
			t.Errorf("the dashboard lacks %q", want)
		}
	}
	if n := strings.Count(page, "<svg"); n != 8 {
		t.Errorf("%d charts, want 8", n)
	}

	// The dashboard replaces its own page, and nothing else: not an
	// export's part file (it became HTML beside _SUCCESS), not the config,
	// not an input, not a new file among the published folders.
	if code, _, se := run(t, "report", "--config", cfg, "--date", "2026-11-21", "--out", html); code != 0 {
		t.Errorf("report over its own earlier page: exit %d\n%s", code, se)
	}
	part, err := filepath.Glob(filepath.Join(out, "exports", "google_ads_audience", "dt=2026-11-21", "*.parquet"))
	if err != nil || len(part) == 0 {
		t.Fatalf("no export part file: %v", err)
	}
	partBefore, _ := os.ReadFile(part[0])
	// The customers input as a copy of its own, so that a check that
	// failed could not overwrite the shipped demo data.
	own := filepath.Join(t.TempDir(), "customers.parquet")
	demoCustomers, _ := filepath.Glob("../../../testdata/demo/data/customers/*.parquet")
	if len(demoCustomers) == 0 {
		t.Fatal("no demo customers file")
	}
	if b, err := os.ReadFile(demoCustomers[0]); err != nil || os.WriteFile(own, b, 0o600) != nil {
		t.Fatal("copying the demo customers:", err)
	}
	y, _ := os.ReadFile(cfg)
	ownCfg := filepath.Join(filepath.Dir(cfg), "own-customers.yaml")
	customersLine := regexp.MustCompile(`(?m)^  customers: \{path: [^}]*\}`)
	if err := os.WriteFile(ownCfg, []byte(customersLine.ReplaceAllString(string(y), "  customers: {path: "+own+"}")), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ cfg, out string }{
		{cfg, part[0]},
		{cfg, filepath.Join(out, "exports", "google_ads_audience", "dt=2026-11-21", "dash.html")},
		{ownCfg, own},
		{cfg, cfg}, // last: were it overwritten, the cases after it would fail on the config
	} {
		code, _, se := run(t, "report", "--config", c.cfg, "--date", "2026-11-21", "--out", c.out)
		if code != 2 || !strings.Contains(se, "--out") {
			t.Errorf("report --out %s: exit %d, want 2 naming --out\n%s", c.out, code, se)
		}
	}
	if b, _ := os.ReadFile(own); strings.Contains(string(b), "<html") {
		t.Error("report --out overwrote an input")
	}
	if b, _ := os.ReadFile(cfg); strings.Contains(string(b), "<html") {
		t.Error("report --out overwrote the config")
	}
	if after, _ := os.ReadFile(part[0]); string(after) != string(partBefore) {
		t.Error("report --out changed the export's part file")
	}
	if _, err := os.Stat(filepath.Join(out, "exports", "google_ads_audience", "dt=2026-11-21", "dash.html")); err == nil {
		t.Error("report --out put a page in an export's folder")
	}

	// No metrics for a date that was never run: a clear error.
	code, _, se = run(t, "report", "--config", cfg, "--date", "2026-11-20")
	if code != 1 || !strings.Contains(se, "run `optout run --date 2026-11-20` first") {
		t.Errorf("report of a date never run: exit %d\n%s", code, se)
	}
	if _, err := os.Stat(filepath.Join(out, "report", "dt=2026-11-20")); err == nil {
		t.Error("a failed report left a folder")
	}

	// Drawn for real by a browser (behind a switch: needs chromium).
	dom, ok := chromiumDOM(t, html)
	if !ok {
		return
	}
	body := regexp.MustCompile(`<body[^>]*>`).FindString(dom)
	if !strings.Contains(body, `data-charts="8"`) || !strings.Contains(body, `data-charts-drawn="8"`) || strings.Contains(body, "data-errors") {
		t.Errorf("charts not all drawn, or a script error: %s", body)
	}
}

// TestDashboardHeadline runs the demo nightly for four dates (each with
// --now the next morning) with pending requests held back, so there are a
// last month, SLA figures and open requests; renders the dashboard of the
// last date and checks each headline figure on the page (the DOM Chromium
// built, with OPTOUT_CHROMIUM; the HTML file otherwise) against a DuckDB
// query on the output tables. With OPTOUT_DASHBOARD_PNG=FILE it also saves
// Chromium's screenshot of the page there (docs/dashboard.png).
func TestDashboardHeadline(t *testing.T) {
	// Visitor figures from November only: the other months' opt-outs have
	// no denominator, and the rates must leave them out.
	traffic := novemberTraffic(t)
	cfg, out := demoConfig(t, func(s string) string {
		s = regexp.MustCompile(`path: \S*/traffic\.parquet`).ReplaceAllString(s, "path: "+traffic)
		return strings.Replace(s, "apply_pending: true", "apply_pending: false", 1)
	})
	const d = "2026-11-21"
	for _, dt := range []string{"2026-11-18", "2026-11-19", "2026-11-20", d} {
		day, _ := time.Parse(time.DateOnly, dt)
		now := day.AddDate(0, 0, 1).Add(15 * time.Hour).Format(time.RFC3339) // 07:00 the next morning in Los Angeles
		if code, _, se := run(t, "run", "--config", cfg, "--date", dt, "--now", now); code != 0 {
			t.Fatalf("run %s: exit %d\n%s", dt, code, se)
		}
	}
	file, page := dashboardOf(t, cfg, d)
	if dom, ok := chromiumDOM(t, file); ok {
		page = dom
		if png := os.Getenv("OPTOUT_DASHBOARD_PNG"); png != "" {
			screenshot(t, file, png)
		}
	}

	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	metric := func(m string) string {
		return "read_parquet('" + filepath.Join(out, "metrics", m, "dt="+d, "*.parquet") + "')"
	}
	ledger := "read_parquet('" + filepath.Join(out, "requests_ledger", "*.parquet") + "')"
	runs := "read_parquet('" + filepath.Join(out, "runs", "*.parquet") + "')"

	// This month is November (the month of D), last month October.
	for _, m := range []struct{ which, month string }{{"this", "2026-11"}, {"last", "2026-10"}} {
		received := queryInt(t, db, "SELECT coalesce(sum(requests), 0) FROM "+metric("requests_monthly")+" WHERE month = ?", m.month)
		var processed, withinSLA, breached int64
		var median sql.NullFloat64
		if err := db.QueryRow("SELECT processed, within_sla, breached + open_past_deadline, p50_business_days FROM "+metric("processing_time")+" WHERE month = ?", m.month).
			Scan(&processed, &withinSLA, &breached, &median); err != nil {
			t.Fatal(err)
		}
		if processed == 0 || !median.Valid {
			t.Fatalf("%s: no completed requests: the scenario does not test the SLA figures", m.month)
		}
		want := map[string]string{
			"received-" + m.which:    report.Int(received),
			"completed-" + m.which:   report.Int(processed),
			"within-sla-" + m.which:  report.Percent(float64(withinSLA) / float64(processed)),
			"median-days-" + m.which: report.Days(median.Float64),
			"breached-" + m.which:    report.Int(breached),
		}
		for id, w := range want {
			if got := byID(t, page, id); got != w {
				t.Errorf("#%s = %q, the metrics say %q", id, got, w)
			}
		}
	}
	if got := byID(t, page, "within-sla-last"); got == report.Percent(1) || got == report.Percent(0) {
		t.Errorf("October's share within the SLA is %s: the scenario should mix met and breached requests", got)
	}

	// Open requests: the totals count the ledger's, as its list shows them.
	openTotal := queryInt(t, db, "SELECT count(*) FROM "+ledger+" WHERE sla_status IN ('open', 'open_breached')")
	openPast := queryInt(t, db, "SELECT count(*) FROM "+ledger+" WHERE sla_status = 'open_breached'")
	if n := queryInt(t, db, "SELECT count(*) FROM "+ledger+" WHERE first_enforced_at IS NULL"); n != openTotal || openTotal == 0 || openPast == 0 || openPast == openTotal {
		t.Fatalf("open: %d in the ledger (%d past the deadline), %d not enforced: want equal, some past the deadline and some not", openTotal, openPast, n)
	}
	notices := queryInt(t, db, "SELECT count(*) FROM (SELECT DISTINCT request_id, export FROM read_parquet('"+filepath.Join(out, "third_party_notifications", "dt="+d, "*.parquet")+"'))")
	if got := byID(t, page, "third-party-notices"); got != report.Int(notices) {
		t.Errorf("#third-party-notices = %q, want %d (one per request and export)", got, notices)
	}
	if got := byID(t, page, "open-total"); got != report.Int(openTotal) {
		t.Errorf("#open-total = %q, want %d", got, openTotal)
	}
	if got := byID(t, page, "open-past-deadline"); got != report.Int(openPast) {
		t.Errorf("#open-past-deadline = %q, want %d", got, openPast)
	}
	// The table: the 15 longest overdue, then the 15 soonest due, each with
	// the calendar days from the run's day (2026-11-22 in Los Angeles) to
	// its deadline's day.
	rows, err := db.Query(`SELECT request_id, date_diff('day', DATE '2026-11-22', (deadline AT TIME ZONE 'America/Los_Angeles')::DATE) AS left
		FROM ` + ledger + ` WHERE first_enforced_at IS NULL
		QUALIFY row_number() OVER (PARTITION BY deadline < TIMESTAMPTZ '2026-11-22 15:00:00+00' ORDER BY deadline, request_id) <= 15
		ORDER BY deadline, request_id`)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for rows.Next() {
		var id string
		var left int64
		if err := rows.Scan(&id, &left); err != nil {
			t.Fatal(err)
		}
		want = append(want, id+" "+strconv.FormatInt(left, 10))
	}
	rows.Close()
	var got []string
	for _, m := range regexp.MustCompile(`data-request="([^"]+)" data-days-left="(-?\d+)"`).FindAllStringSubmatch(page, -1) {
		got = append(got, m[1]+" "+m[2])
	}
	if strings.Join(got, ", ") != strings.Join(want, ", ") || len(want) != 30 {
		t.Errorf("open requests on the page:\n%v\nthe ledger's most urgent:\n%v", got, want)
	}

	// Which run, and when the page was made.
	var runID string
	var runNow time.Time
	if err := db.QueryRow("SELECT run_id, now FROM "+runs+" WHERE dt = ? AND status = 'succeeded'", d).Scan(&runID, &runNow); err != nil {
		t.Fatal(err)
	}
	// The rows that run quarantined, which no figure counts, are said.
	quarantined := queryInt(t, db, "SELECT sum(i.rows_quarantined) FROM (SELECT unnest(inputs) AS i FROM "+runs+" WHERE run_id = ?)", runID)
	if got := byID(t, page, "quarantined"); quarantined == 0 || got != report.Int(quarantined) {
		t.Errorf("#quarantined = %q, want the run's %d (and the demo quarantines some)", got, quarantined)
	}
	la, _ := time.LoadLocation("America/Los_Angeles")
	for id, w := range map[string]string{"run-id": runID, "run-date": d, "run-now": runNow.In(la).Format("2006-01-02 15:04 MST")} {
		if got := byID(t, page, id); got != w {
			t.Errorf("#%s = %q, want %q", id, got, w)
		}
	}
	if gen, err := time.ParseInLocation("2006-01-02 15:04 MST", byID(t, page, "generated-at"), la); err != nil || time.Since(gen) > time.Hour || time.Since(gen) < -time.Minute {
		t.Errorf("#generated-at = %q: want the time the page was made (%v)", byID(t, page, "generated-at"), err)
	}

	// The page of an earlier date says that its open requests come from the
	// ledger of a later run.
	earlier := filepath.Join(t.TempDir(), "earlier.html")
	if code, _, se := run(t, "report", "--config", cfg, "--date", "2026-11-20", "--out", earlier); code != 0 {
		t.Fatalf("report of 2026-11-20: exit %d\n%s", code, se)
	}
	if b, err := os.ReadFile(earlier); err != nil || !strings.Contains(string(b), `id="ledger-note"`) || !strings.Contains(string(b), runID) {
		t.Errorf("the page of 2026-11-20 does not say its ledger is that of the later run %s (%v)", runID, err)
	}
	if strings.Contains(page, `id="ledger-note"`) {
		t.Error("the page of the latest date says its ledger is another run's")
	}

	// Opt-out rate: n/a where the source has no denominator, and an axis
	// that fits the rates (0.04 %, not 0 to 1.10).
	rate := pageSection(t, page, "Opt-out rate by traffic source")
	if n := queryInt(t, db, "SELECT count(*) FROM "+metric("optout_rate_by_source")+" WHERE denominator IS NULL AND opt_outs > 0 AND traffic_source IN (SELECT traffic_source FROM "+metric("optout_rate_by_source")+" WHERE denominator > 0)"); n == 0 {
		t.Fatal("no source has opt-outs in a month without visitors: the scenario does not test which months the rate divides")
	}
	srcs, err := db.Query(`SELECT traffic_source, sum(opt_outs) FILTER (WHERE denominator IS NOT NULL) / sum(denominator) FROM ` + metric("optout_rate_by_source") + ` GROUP BY 1 ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	maxRate, noDenominator := 0.0, 0
	for srcs.Next() {
		var src string
		var r sql.NullFloat64
		if err := srcs.Scan(&src, &r); err != nil {
			t.Fatal(err)
		}
		w := report.NA
		if r.Valid {
			w, maxRate = report.Percent(r.Float64), max(maxRate, 100*r.Float64)
		} else {
			noDenominator++
		}
		if got := htmlCell(rate, "data-source", src, "rate"); got != w {
			t.Errorf("rate of %s = %q, want %q", src, got, w)
		}
	}
	srcs.Close()
	if noDenominator == 0 || maxRate == 0 || maxRate > 1 {
		t.Fatalf("the demo should have a source without a denominator and rates under 1 %% (max %v %%)", maxRate)
	}
	ticks := tickValues(t, rate, " %")
	if top := ticks[len(ticks)-1]; top < maxRate || top > 2*maxRate || ticks[0] != 0 {
		t.Errorf("rate axis %v %%: want 0 to between %v and %v", ticks, maxRate, 2*maxRate)
	}

	// Export suppression in percentages of the rows in.
	sync := pageSection(t, page, "Export suppression")
	exps, err := db.Query(`SELECT export, rows_suppressed / rows_in FROM ` + metric("sync") + ` ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for exps.Next() {
		var exp string
		var share float64
		if err := exps.Scan(&exp, &share); err != nil {
			t.Fatal(err)
		}
		n++
		if got := htmlCell(sync, "data-export", exp, "share"); got != report.Percent(share) {
			t.Errorf("suppressed share of %s = %q, want %q", exp, got, report.Percent(share))
		}
		if !strings.Contains(sync, report.Percent(share)+" (") {
			t.Errorf("the suppression chart does not label %s with %s", exp, report.Percent(share))
		}
	}
	exps.Close()
	if n != 3 {
		t.Errorf("%d exports in the sync metric, want 3", n)
	}

	// Line charts: the value axis on the left with round ticks.
	for _, h := range []string{"SLA breaches by month", "Processing time", "Monthly requests"} {
		s := pageSection(t, page, h)
		var ys []string
		for _, m := range regexp.MustCompile(`<text x="(\d+)"[^>]*>(\d[\d.]*)</text>`).FindAllStringSubmatch(s, -1) {
			x, _ := strconv.Atoi(m[1])
			if x > 100 {
				t.Errorf("%s: a value tick %q at x=%d: the axis is not on the left", h, m[2], x)
			}
			ys = append(ys, m[2])
		}
		if len(ys) < 3 {
			t.Errorf("%s: value ticks %v", h, ys)
		}
		for _, y := range ys {
			if v, err := strconv.ParseFloat(y, 64); err != nil || v != math.Trunc(v) || strings.Contains(y, ".") {
				t.Errorf("%s: tick %q is not a round number", h, y)
			}
		}
	}
	// Category labels whole, on one line.
	cats := pageSection(t, page, "Categories chosen")
	for _, c := range []string{"marketing_partners", "channel:email", "advertising"} {
		if !regexp.MustCompile(`>` + regexp.QuoteMeta(c) + `</text>`).MatchString(cats) {
			t.Errorf("the category label %q is not drawn whole", c)
		}
	}
}

// chromiumDOM has headless Chromium load file and returns the DOM it built,
// failing on a console message; ok is false without OPTOUT_CHROMIUM.
func chromiumDOM(t *testing.T, file string) (string, bool) {
	t.Helper()
	if os.Getenv("OPTOUT_CHROMIUM") == "" {
		t.Log("OPTOUT_CHROMIUM not set: the headless browser check is left to .ci/run")
		return "", false
	}
	browser, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("OPTOUT_CHROMIUM is set but chromium is not installed: %v", err)
	}
	cmd := exec.Command(browser, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
		"--virtual-time-budget=5000", "--dump-dom", "file://"+file)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	dom, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, "CONSOLE") || strings.Contains(line, "Uncaught") {
			t.Errorf("console message: %s", line)
		}
	}
	return string(dom), true
}

// screenshot saves Chromium's picture of file, 1280 pixels wide, at png.
func screenshot(t *testing.T, file, png string) {
	t.Helper()
	abs, err := filepath.Abs(png)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--virtual-time-budget=5000", "--window-size=1280,2000", "--screenshot="+abs, "file://"+file)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium screenshot: %v\n%s", err, b)
	}
	t.Logf("screenshot saved at %s", abs)
}

// byID is the text of the element with that id.
func byID(t *testing.T, page, id string) string {
	t.Helper()
	m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `"[^>]*>([^<]*)<`).FindStringSubmatch(page)
	if m == nil {
		t.Errorf("no element #%s on the page", id)
		return ""
	}
	return strings.TrimSpace(html.UnescapeString(m[1]))
}

// pageSection is the page's section under heading h2.
func pageSection(t *testing.T, page, h2 string) string {
	t.Helper()
	i := strings.Index(page, "<h2>"+h2)
	if i < 0 {
		t.Fatalf("no section %q", h2)
	}
	s := page[i:]
	if j := strings.Index(s, "</section>"); j >= 0 {
		s = s[:j]
	}
	return s
}

// cell is the text of the cell of class class in the row whose attribute
// attr is value.
func htmlCell(s, attr, value, class string) string {
	m := regexp.MustCompile(`(?s)` + attr + `="` + regexp.QuoteMeta(value) + `".*?class="n ` + class + `">([^<]*)<`).FindStringSubmatch(s)
	if m == nil {
		return "(no cell)"
	}
	return html.UnescapeString(m[1])
}

// tickValues are the axis ticks (class tick) of a bar chart, without unit.
func tickValues(t *testing.T, s, unit string) []float64 {
	t.Helper()
	var out []float64
	for _, m := range regexp.MustCompile(`class="tick">([^<]*)<`).FindAllStringSubmatch(s, -1) {
		v, err := strconv.ParseFloat(strings.TrimSuffix(m[1], unit), 64)
		if err != nil {
			t.Fatalf("tick %q: %v", m[1], err)
		}
		out = append(out, v)
	}
	if len(out) < 3 {
		t.Fatalf("ticks %v", out)
	}
	return out
}

// novemberTraffic writes the demo's traffic of November 2026 alone to a
// file of the test's and returns its path.
func novemberTraffic(t *testing.T) string {
	t.Helper()
	src, err := filepath.Abs("../../../testdata/demo/data/traffic.parquet")
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "traffic.parquet")
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("COPY (SELECT * FROM read_parquet('" + src + "') WHERE date >= DATE '2026-11-01') TO '" + dst + "' (FORMAT parquet)"); err != nil {
		t.Fatal(err)
	}
	return dst
}

// A run made days after D (a catch-up, a backfill) finds requests past
// their deadline that were not as of D: the dashboard's open tile counts
// the ledger its list comes from, so it never says "0 past the deadline"
// above requests it lists as overdue (found by a probe).
func TestDashboardOpenTileCountsItsList(t *testing.T) {
	cfg, out := demoConfig(t, func(s string) string { return strings.Replace(s, "apply_pending: true", "apply_pending: false", 1) })
	const d = "2026-11-21"
	if code, _, se := run(t, "run", "--config", cfg, "--date", d, "--now", "2026-12-06T12:00:00Z"); code != 0 {
		t.Fatalf("run: exit %d\n%s", code, se)
	}
	_, page := dashboardOf(t, cfg, d)
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ledger := "read_parquet('" + filepath.Join(out, "requests_ledger", "*.parquet") + "')"
	past := queryInt(t, db, "SELECT count(*) FROM "+ledger+" WHERE sla_status = 'open_breached'")
	asOfD := queryInt(t, db, "SELECT sum(open_past_deadline) FROM read_parquet('"+filepath.Join(out, "metrics", "processing_time", "dt="+d, "*.parquet")+"')")
	if past <= asOfD {
		t.Fatalf("%d past the deadline at the run's now, %d as of D: the scenario needs more at the now", past, asOfD)
	}
	if got := byID(t, page, "open-past-deadline"); got != report.Int(past) {
		t.Errorf("#open-past-deadline = %q, want the ledger's %d (processing_time as of D says %d)", got, past, asOfD)
	}
	listed := len(regexp.MustCompile(`data-days-left="-\d+"`).FindAllString(page, -1))
	if int64(listed) != min(past, 15) {
		t.Errorf("%d overdue requests listed, want %d", listed, min(past, 15))
	}
}

// dashboardOf runs `optout report` for date d and returns the page's file
// and its HTML.
func dashboardOf(t *testing.T, cfg, d string) (file, page string) {
	t.Helper()
	file = filepath.Join(t.TempDir(), "dashboard.html")
	if code, _, se := run(t, "report", "--config", cfg, "--date", d, "--out", file); code != 0 {
		t.Fatalf("report: exit %d\n%s", code, se)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return file, string(b)
}
