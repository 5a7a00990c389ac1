// Package report renders the compliance dashboard of one date as a single
// self-contained HTML file: charts drawn as inline SVG, nothing fetched.
package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"

	"github.com/optout-dev/optout/internal/redact"
)

// Data is everything the dashboard shows, read from the metrics tables,
// the ledger and the runs of the output.
type Data struct {
	Date                 string         // D
	Location             *time.Location // the config's timezone
	Generated            time.Time      // when the page was rendered
	Run                  Run
	TargetDays, SLADays  int
	StateSLA             map[string]int // policy.state_sla_business_days: the SLA of a request from that state
	ThisMonth, LastMonth MonthFigures
	OpenTotal            int64 // open requests, all months
	OpenPastDue          int64 // of them, past their deadline
	Open                 []OpenRequest
	Monthly              []Monthly
	RateBySource         []SourceRate
	Processing           []Processing
	Sync                 []Sync
	Categories           []Count
	Geography            []Count
	CaliforniaShare      *float64 // nil: no requests by state
	Annual               []Annual
	Reauthorizations     int64
	ThirdPartyNotices    int64
	LeakChecks           int64
	LeakFailed           int64
}

// Run names the run that published D's metrics and the run that last
// wrote the ledger (the same run unless a later run followed).
type Run struct {
	ID, Version          string
	Now                  time.Time
	Provisional          bool
	LedgerID, LedgerDate string
	LedgerNow            time.Time
	Quarantined          int64 // input rows the run of D quarantined
}

// MonthFigures are the headline figures of one month of receipt.
type MonthFigures struct {
	Month                                    string // YYYY-MM
	Received, Completed, WithinSLA, Breached int64
	WithinSLAShare, MedianDays               *float64 // nil: nothing completed
}

// Monthly is one month of requests_monthly, summed over sources.
type Monthly struct {
	Month                    string
	Requests, OptOuts, OptIn int64
}

// SourceRate is the opt-out rate of one traffic source over all months.
type SourceRate struct {
	Source      string
	OptOuts     int64
	Denominator *int64   // nil: no visitors or customers known for the source
	Rate        *float64 // nil: no denominator, so no rate
}

// Processing is one month of processing_time.
type Processing struct {
	Month                                                string
	Requests, Processed                                  int64
	Avg, P50, P95                                        float64
	WithinTarget, WithinSLA, Breached, Open, OpenPastDue int64
}

// Sync is one export's row of the sync metric.
type Sync struct {
	Export, Destination string
	RowsIn, Suppressed  int64
	SuppressedShare     *float64 // nil: no rows in
	Checks, Failures    int64
	FailureRate         float64
}

// Count is a label and a number of requests.
type Count struct {
	Label    string
	Requests int64
	Share    float64
}

// OpenRequest is a request not yet enforced, with the calendar days left
// before its deadline (negative: overdue).
type OpenRequest struct {
	RequestID, Received, Deadline, State, Status string
	DaysLeft                                     int64
}

// Annual is one year of annual_disclosure (11 CCR §7102).
type Annual struct {
	Year                                int64
	Received, Complied, Denied, Pending int64
	MeanDays, MedianDays                *float64 // nil: nothing complied with
}

// Percent formats a share (0.25) as a percentage with at least two
// significant digits and one decimal: 25.0 %, 4.5 %, 0.037 %.
func Percent(share float64) string {
	p := 100 * share
	decimals := 1
	if p != 0 && math.Abs(p) < 1 {
		decimals = min(4, 1-int(math.Floor(math.Log10(math.Abs(p)))))
	}
	return strconv.FormatFloat(p, 'f', decimals, 64) + " %"
}

// Days formats a number of days to one decimal, without a trailing ".0".
func Days(d float64) string {
	return strconv.FormatFloat(math.Round(d*10)/10, 'f', -1, 64)
}

// Int formats a count with thousands separators: 194,442.
func Int(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// NA is what the page shows for a figure that does not exist (a rate
// without a denominator, a median of nothing).
const NA = "n/a"

// MonthName turns YYYY-MM into "November 2026".
func MonthName(m string) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return m
	}
	return t.Format("January 2006")
}

// DaysLeft says how far a deadline is: "12 days left", "due today",
// "3 days overdue".
func DaysLeft(n int64) string {
	plural := func(k int64) string {
		if k == 1 {
			return "1 day"
		}
		return Int(k) + " days"
	}
	switch {
	case n == 0:
		return "due today"
	case n < 0:
		return plural(-n) + " overdue"
	}
	return plural(n) + " left"
}

//go:embed dashboard.html.tmpl
var page string

var tmpl = template.Must(template.New("dashboard").Funcs(template.FuncMap{
	"pct": Percent,
	// The per-state SLAs, "CA 10, NY 20": the SLA figures use each
	// request's state's, so the page names them beside the default.
	"stateSLA": func(m map[string]int) string {
		var out []string
		for _, st := range slices.Sorted(maps.Keys(m)) {
			out = append(out, fmt.Sprintf("%s %d", st, m[st]))
		}
		return strings.Join(out, ", ")
	},
	"optPct": func(f *float64) string {
		if f == nil {
			return NA
		}
		return Percent(*f)
	},
	"days": Days,
	"optDays": func(f *float64) string {
		if f == nil {
			return NA
		}
		return Days(*f)
	},
	"int": Int,
	"optInt": func(n *int64) string {
		if n == nil {
			return NA
		}
		return Int(*n)
	},
	"month":    MonthName,
	"daysLeft": DaysLeft,
	"sub":      func(a, b int) int { return a - b },
	// overdue counts the shown open requests past their deadline.
	"overdue": func(open []OpenRequest) int {
		n := 0
		for _, o := range open {
			if o.DaysLeft < 0 {
				n++
			}
		}
		return n
	},
	// nextDue is the open request whose deadline comes next, or nil.
	"nextDue": func(open []OpenRequest) *OpenRequest {
		for i := range open {
			if open[i].DaysLeft >= 0 {
				return &open[i]
			}
		}
		return nil
	},
}).Parse(page))

// Render writes the dashboard of d to w.
func Render(w io.Writer, d Data) error {
	if d.Location == nil {
		d.Location = time.UTC
	}
	d = redacted(d)
	charts := map[string]template.HTML{}
	for name, draw := range map[string]func(Data) (template.HTML, error){
		"trend": trendChart, "breaches": breachChart, "rate": rateChart, "processing": processingChart, "sync": syncChart,
		"categories": categoriesChart, "geography": geographyChart, "annual": annualChart,
	} {
		svg, err := draw(d)
		if err != nil {
			return fmt.Errorf("chart %s: %w", name, err)
		}
		charts[name] = svg
	}
	local := func(t time.Time) string {
		if t.IsZero() {
			return NA
		}
		return t.In(d.Location).Format("2006-01-02 15:04 MST")
	}
	return tmpl.Execute(w, struct {
		Data
		Charts                       map[string]template.HTML
		Generated, RunNow, LedgerNow string
		TimeZone                     string
		OpenInTime                   int64
	}{d, charts, local(d.Generated), local(d.Run.Now), local(d.Run.LedgerNow), d.Location.String(), d.OpenTotal - d.OpenPastDue})
}

// redacted is d with the values that come from the inputs as written
// redacted (SPEC §4: no raw email or phone where people read): a request
// log's state or traffic_source column holding an address or a number
// (a column mapped wrong, a form field swapped) was drawn in the charts
// and listed in the open requests, and an email given as a request_id was
// listed too. A request id keeps its numbers, which are what finds it in
// the request log; states, sources and labels never hold seven digits.
func redacted(d Data) Data {
	d.Open = slices.Clone(d.Open)
	for i := range d.Open {
		o := &d.Open[i]
		o.RequestID, o.State, o.Status = redact.Emails(o.RequestID), redact.String(o.State), redact.String(o.Status)
	}
	d.RateBySource = slices.Clone(d.RateBySource)
	for i := range d.RateBySource {
		d.RateBySource[i].Source = redact.String(d.RateBySource[i].Source)
	}
	for _, counts := range []*[]Count{&d.Categories, &d.Geography} {
		*counts = slices.Clone(*counts)
		for i := range *counts {
			(*counts)[i].Label = redact.String((*counts)[i].Label)
		}
	}
	return d
}

const width, height = 560, 300

var (
	blue   = drawing.ColorFromHex("2563eb")
	red    = drawing.ColorFromHex("dc2626")
	green  = drawing.ColorFromHex("16a34a")
	amber  = drawing.ColorFromHex("d97706")
	grey   = drawing.ColorFromHex("6b7280")
	noData = template.HTML(`<p class="empty">No data for this chart yet.</p>`)
)

// niceScale returns the top of an axis from 0 that holds hi and its tick
// step: a round number (1, 2, 2.5 or 5 times a power of ten) giving 3 to 6
// steps and the lowest top, so the ticks read 0, 0.01, 0.02 … rather than
// 0, 0.28, 0.55. Counts (whole) get whole steps.
func niceScale(hi float64, whole bool) (top, step float64) {
	if hi <= 0 || math.IsNaN(hi) || math.IsInf(hi, 0) {
		hi = 1
	}
	exp := int(math.Floor(math.Log10(hi)))
	top = math.Inf(1)
	for e := exp - 1; e <= exp; e++ {
		for _, m := range []string{"1", "2", "2.5", "5"} {
			// Parsed from decimal text, so 0.01 is the double nearest
			// 0.01, not 1 times a rounded power of ten.
			s, _ := strconv.ParseFloat(fmt.Sprintf("%se%d", m, e), 64)
			if whole && s != math.Trunc(s) {
				continue
			}
			n := math.Ceil(hi/s - 1e-9)
			if n < 3 || n > 6 {
				continue
			}
			if t := n * s; t < top-1e-12 {
				top, step = t, s
			}
		}
	}
	if math.IsInf(top, 1) { // a whole count below 3: one tick per unit
		return math.Ceil(hi), 1
	}
	return top, step
}

// tickLabels labels 0, step, … top with as many decimals as step needs.
func tickLabels(top, step float64, unit string) []chart.Tick {
	decimals := 0
	if s := strconv.FormatFloat(step, 'f', -1, 64); strings.Contains(s, ".") {
		decimals = len(s) - strings.Index(s, ".") - 1
	}
	var ticks []chart.Tick
	for i := 0; float64(i)*step <= top*(1+1e-9); i++ {
		v, _ := strconv.ParseFloat(strconv.FormatFloat(float64(i)*step, 'f', decimals, 64), 64)
		ticks = append(ticks, chart.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', decimals, 64) + unit})
	}
	return ticks
}

func svg(r interface {
	Render(chart.RendererProvider, io.Writer) error
}) (template.HTML, error) {
	var b bytes.Buffer
	if err := r.Render(chart.SVG, &b); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil // go-chart's own SVG output, escaped by it
}

// monthTicks labels x = 0..n-1 with the months, thinned to at most 6 labels.
func monthTicks(months []string) []chart.Tick {
	step := (len(months) + 5) / 6
	var ticks []chart.Tick
	for i, m := range months {
		if i%step == 0 {
			ticks = append(ticks, chart.Tick{Value: float64(i), Label: m})
		}
	}
	return ticks
}

// monthAxis lists every month ("2026-07") from the first of months to the
// last, and each one's place on the axis, so that a chart keeps the
// months without rows in their place: drawn from the months with rows
// alone, July, August and November stood evenly apart and the line went
// straight from August to November. months is sorted; a month that does
// not parse keeps the months as they are.
func monthAxis(months []string) (span []string, place map[string]int) {
	span = months
	if len(months) > 0 {
		first, err1 := time.Parse("2006-01", months[0])
		last, err2 := time.Parse("2006-01", months[len(months)-1])
		if err1 == nil && err2 == nil && !last.Before(first) {
			span = nil
			for m := first; !m.After(last); m = m.AddDate(0, 1, 0) {
				span = append(span, m.Format("2006-01"))
			}
		}
	}
	place = make(map[string]int, len(span))
	for i, m := range span {
		place[m] = i
	}
	return span, place
}

// lineChart draws series over the months, the value axis on the left with
// round ticks and no name (the section's note says what it counts: go-chart
// draws the name over the ticks); a single month gets a second point so the
// line has length.
func lineChart(months []string, series ...chart.ContinuousSeries) (template.HTML, error) {
	if len(months) == 0 {
		return noData, nil
	}
	hi := 0.0
	ss := make([]chart.Series, len(series))
	for i, s := range series {
		if len(s.YValues) == 1 {
			s.XValues, s.YValues = []float64{-0.5, 0.5}, []float64{s.YValues[0], s.YValues[0]}
		}
		for _, y := range s.YValues {
			hi = max(hi, y)
		}
		// go-chart draws its primary axis on the right, its secondary one
		// on the left: every series goes on the left one.
		s.YAxis = chart.YAxisSecondary
		ss[i] = s
	}
	top, step := niceScale(hi*1.05, true)
	ticks := tickLabels(top, step, "")
	rng := &chart.ContinuousRange{Min: 0, Max: top}
	across := monthTicks(months)
	if len(months) == 1 {
		// go-chart spans the month axis from its ticks: one tick spans
		// nothing, and it refuses the chart (a dashboard's first month).
		across = []chart.Tick{{Value: -0.5}, across[0], {Value: 0.5}}
	}
	c := chart.Chart{
		Width: width, Height: height,
		Background: chart.Style{Padding: chart.Box{Top: 12, Left: 16, Right: 24, Bottom: 10}},
		XAxis:      chart.XAxis{Ticks: across},
		// The hidden primary axis gets the same ticks: go-chart sizes the
		// secondary axis from the primary's ticks.
		YAxis: chart.YAxis{Style: chart.Style{Hidden: true}, Range: rng, Ticks: ticks},
		YAxisSecondary: chart.YAxis{Range: rng, Ticks: ticks,
			GridMajorStyle: chart.Style{StrokeColor: drawing.ColorFromHex("e5e7eb"), StrokeWidth: 1}},
		Series: ss,
	}
	drawn, err := svg(c)
	return legend(series) + drawn, err
}

// legend names the lines above a chart, in HTML: go-chart's own legend
// box sits over the plot.
func legend(series []chart.ContinuousSeries) template.HTML {
	var b strings.Builder
	b.WriteString(`<div class="legend">`)
	for _, s := range series {
		kind := "solid"
		if len(s.Style.StrokeDashArray) > 0 {
			kind = "dashed"
		}
		fmt.Fprintf(&b, `<span><i style="border-top: 2px %s %s"></i>%s</span>`, kind, s.Style.StrokeColor.String(), template.HTMLEscapeString(s.Name))
	}
	b.WriteString(`</div>`)
	return template.HTML(b.String()) // names escaped above
}

// line is a series with a value for each month of the chart, in order.
func line(name string, c drawing.Color, ys []float64, dashed bool) chart.ContinuousSeries {
	st := chart.Style{StrokeColor: c, StrokeWidth: 2}
	if dashed {
		st.StrokeDashArray = []float64{6, 4}
	}
	x := make([]float64, len(ys))
	for i := range x {
		x[i] = float64(i)
	}
	return chart.ContinuousSeries{Name: name, Style: st, XValues: x, YValues: ys}
}

// placed puts a series' values at the months' places x instead.
func placed(s chart.ContinuousSeries, x []float64) chart.ContinuousSeries {
	s.XValues = x
	return s
}

// bar is one bar of a horizontal bar chart; a missing value is drawn as
// n/a, not as a bar of zero.
type bar struct {
	Label   string
	Value   float64
	Missing bool
	Text    string // the value as the page writes it
	Color   drawing.Color
}

// hbarChart draws horizontal bars with their labels on the left, whole and
// on one line, and their values at the end of each bar; the axis below
// starts at 0 and has round ticks in unit.
func hbarChart(bars []bar, unit string, whole bool) template.HTML {
	if len(bars) == 0 {
		return noData
	}
	const rowH, barH, axisH, charW = 24, 15, 22, 7
	labelChars, textChars, hi := 0, 0, 0.0
	for _, b := range bars {
		labelChars = max(labelChars, utf8.RuneCountInString(b.Label))
		textChars = max(textChars, utf8.RuneCountInString(b.Text))
		if !b.Missing {
			hi = max(hi, b.Value)
		}
	}
	labelW := min(240, labelChars*charW+12)
	textW := textChars*charW + 12
	left, right := labelW, width-textW
	top, step := niceScale(hi, whole)
	x := func(v float64) float64 { return float64(left) + v/top*float64(right-left) }
	h := len(bars)*rowH + axisH + 6

	var s strings.Builder
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-size="12">`, width, h, width, h)
	axisY := len(bars)*rowH + 4
	for _, t := range tickLabels(top, step, unit) {
		fmt.Fprintf(&s, `<line x1="%.1f" y1="2" x2="%.1f" y2="%d" stroke="#e5e7eb"/>`, x(t.Value), x(t.Value), axisY)
		fmt.Fprintf(&s, `<text x="%.1f" y="%d" text-anchor="middle" fill="#4b5563" class="tick">%s</text>`, x(t.Value), axisY+16, template.HTMLEscapeString(t.Label))
	}
	fmt.Fprintf(&s, `<line x1="%d" y1="2" x2="%d" y2="%d" stroke="#9ca3af"/>`, left, left, axisY)
	for i, b := range bars {
		y := i*rowH + 4
		mid := y + barH/2 + 4
		fmt.Fprintf(&s, `<text x="%d" y="%d" text-anchor="end" fill="#111827"><title>%s</title>%s</text>`,
			left-6, mid, template.HTMLEscapeString(b.Label), template.HTMLEscapeString(truncate(b.Label, (labelW-12)/charW)))
		end := float64(left)
		if !b.Missing {
			end = x(b.Value)
			fmt.Fprintf(&s, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`, left, y, end-float64(left), barH, b.Color.String())
		}
		fmt.Fprintf(&s, `<text x="%.1f" y="%d" fill="#374151" class="value">%s</text>`, end+5, mid, template.HTMLEscapeString(b.Text))
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String()) // every text escaped above
}

// truncate shortens s to n runes with an ellipsis (the full label is the
// bar's title).
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n || n < 2 {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// trendChart draws the requests of each month; a month without any is 0.
func trendChart(d Data) (template.HTML, error) {
	var months []string
	for _, m := range d.Monthly {
		months = append(months, m.Month)
	}
	span, place := monthAxis(months)
	outs, ins := make([]float64, len(span)), make([]float64, len(span))
	for _, m := range d.Monthly {
		outs[place[m.Month]], ins[place[m.Month]] = float64(m.OptOuts), float64(m.OptIn)
	}
	return lineChart(span, line("opt-outs", red, outs, false), line("opt-ins", green, ins, false))
}

// processingChart draws the business days of the months with requests
// processed, each at its place among all the months from the first to the
// last: a month with none processed has no average, not one of 0.
func processingChart(d Data) (template.HTML, error) {
	var months []string
	for _, p := range d.Processing {
		if p.Processed > 0 {
			months = append(months, p.Month)
		}
	}
	span, place := monthAxis(months)
	var x, avg, p95 []float64
	for _, p := range d.Processing {
		if p.Processed > 0 {
			x = append(x, float64(place[p.Month]))
			avg = append(avg, p.Avg)
			p95 = append(p95, p.P95)
		}
	}
	target, limit := make([]float64, len(span)), make([]float64, len(span))
	for i := range span {
		target[i], limit[i] = float64(d.TargetDays), float64(d.SLADays)
	}
	return lineChart(span,
		placed(line("average", blue, avg, false), x), placed(line("95th percentile", amber, p95, false), x),
		line(fmt.Sprintf("target (%d)", d.TargetDays), green, target, true),
		line(fmt.Sprintf("legal limit (%d)", d.SLADays), red, limit, true))
}

// breachChart draws, per month of receipt, the requests enforced after
// their deadline and the ones still open past it; a month without any is 0.
func breachChart(d Data) (template.HTML, error) {
	var months []string
	for _, p := range d.Processing {
		months = append(months, p.Month)
	}
	span, place := monthAxis(months)
	late, open := make([]float64, len(span)), make([]float64, len(span))
	for _, p := range d.Processing {
		late[place[p.Month]], open[place[p.Month]] = float64(p.Breached), float64(p.OpenPastDue)
	}
	return lineChart(span, line("enforced late", red, late, false), line("open past deadline", amber, open, true))
}

func rateChart(d Data) (template.HTML, error) {
	var bars []bar
	for _, r := range d.RateBySource {
		b := bar{Label: r.Source, Missing: r.Rate == nil, Text: NA, Color: blue}
		if r.Rate != nil {
			b.Value, b.Text = 100**r.Rate, Percent(*r.Rate)
		}
		bars = append(bars, b)
	}
	return hbarChart(bars, " %", false), nil
}

func syncChart(d Data) (template.HTML, error) {
	var bars []bar
	for _, s := range d.Sync {
		c := green
		if s.Failures > 0 {
			c = red
		}
		b := bar{Label: s.Export, Missing: s.SuppressedShare == nil, Text: NA, Color: c}
		if s.SuppressedShare != nil {
			b.Value = 100 * *s.SuppressedShare
			b.Text = fmt.Sprintf("%s (%s of %s)", Percent(*s.SuppressedShare), Int(s.Suppressed), Int(s.RowsIn))
		}
		bars = append(bars, b)
	}
	return hbarChart(bars, " %", false), nil
}

func countBars(counts []Count, limit int, highlight string) []bar {
	sorted := append([]Count{}, counts...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Requests > sorted[j].Requests })
	if len(sorted) > limit {
		sorted = sorted[:limit]
	}
	var bars []bar
	for _, c := range sorted {
		col := blue
		if strings.EqualFold(c.Label, highlight) {
			col = amber
		}
		bars = append(bars, bar{Label: c.Label, Value: float64(c.Requests), Text: Int(c.Requests), Color: col})
	}
	return bars
}

func categoriesChart(d Data) (template.HTML, error) {
	return hbarChart(countBars(d.Categories, 8, ""), "", true), nil
}

func geographyChart(d Data) (template.HTML, error) {
	return hbarChart(countBars(d.Geography, 10, "CA"), "", true), nil
}

func annualChart(d Data) (template.HTML, error) {
	var bars []bar
	add := func(label string, v *float64, c drawing.Color) {
		b := bar{Label: label, Missing: v == nil, Text: NA, Color: c}
		if v != nil {
			b.Value, b.Text = *v, Days(*v)+" days"
		}
		bars = append(bars, b)
	}
	for _, a := range d.Annual {
		add(fmt.Sprintf("%d mean", a.Year), a.MeanDays, blue)
		add(fmt.Sprintf("%d median", a.Year), a.MedianDays, grey)
	}
	return hbarChart(bars, "", false), nil
}
