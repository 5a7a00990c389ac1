// Package report renders the compliance dashboard of one date as a single
// self-contained HTML file: charts drawn as inline SVG, nothing fetched.
package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"

	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// Data is everything the dashboard shows, read from the metrics tables.
type Data struct {
	Date                   string
	TargetDays, SLADays    int
	Monthly                []Monthly
	RateBySource           []SourceRate
	Processing             []Processing
	Sync                   []Sync
	Categories             []Count
	Geography              []Count
	CaliforniaShare        float64
	Actionable             []Actionable
	Annual                 []Annual
	Reauthorizations       int64
	ThirdPartyNotices      int64
	Requests, OptOuts      int64
	Breached, OpenPastDue  int64
	AvgBusinessDays        float64
	LeakChecks, LeakFailed int64
}

// Monthly is one month of requests_monthly, summed over sources.
type Monthly struct {
	Month                    string
	Requests, OptOuts, OptIn int64
}

// SourceRate is the opt-out rate of one traffic source over all months.
type SourceRate struct {
	Source               string
	OptOuts, Denominator int64
	Rate                 float64
}

// Processing is one month of processing_time.
type Processing struct {
	Month                                                string
	Processed                                            int64
	Avg, P50, P95                                        float64
	WithinTarget, WithinSLA, Breached, Open, OpenPastDue int64
}

// Sync is one export's row of the sync metric.
type Sync struct {
	Export, Destination string
	RowsIn, Suppressed  int64
	Checks, Failures    int64
	FailureRate         float64
}

// Count is a label and a number of requests.
type Count struct {
	Label    string
	Requests int64
	Share    float64
}

// Actionable is an open request, past or near its deadline.
type Actionable struct {
	RequestID, Received, Deadline, State, Status string
}

// Annual is one year of annual_disclosure (11 CCR §7102).
type Annual struct {
	Year                                int64
	Received, Complied, Denied, Pending int64
	MeanDays, MedianDays                float64
}

//go:embed dashboard.html.tmpl
var page string

var tmpl = template.Must(template.New("dashboard").Funcs(template.FuncMap{
	"pct": func(f float64) string { return fmt.Sprintf("%.2f%%", 100*f) },
	"num": func(f float64) string { return fmt.Sprintf("%.1f", f) },
}).Parse(page))

// Render writes the dashboard of d to w.
func Render(w io.Writer, d Data) error {
	charts := map[string]template.HTML{}
	for name, draw := range map[string]func(Data) (template.HTML, error){
		"trend": trendChart, "rate": rateChart, "processing": processingChart, "sync": syncChart,
		"categories": categoriesChart, "geography": geographyChart, "annual": annualChart,
	} {
		svg, err := draw(d)
		if err != nil {
			return fmt.Errorf("chart %s: %w", name, err)
		}
		charts[name] = svg
	}
	return tmpl.Execute(w, struct {
		Data
		Charts map[string]template.HTML
	}{d, charts})
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

func svg(r interface {
	Render(chart.RendererProvider, io.Writer) error
}) (template.HTML, error) {
	var b bytes.Buffer
	if err := r.Render(chart.SVG, &b); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil // go-chart's own SVG output, escaped by it
}

// monthTicks labels x = 0..n-1 with the months, thinned to at most 12 labels.
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

func xs(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = float64(i)
	}
	return out
}

// lineChart draws series over the months; a single month gets a second
// point so the line has length.
func lineChart(months []string, yName string, series ...chart.ContinuousSeries) (template.HTML, error) {
	if len(months) == 0 {
		return noData, nil
	}
	ss := make([]chart.Series, len(series))
	for i, s := range series {
		s.XValues = xs(len(s.YValues))
		if len(s.YValues) == 1 {
			s.XValues, s.YValues = []float64{-0.5, 0.5}, []float64{s.YValues[0], s.YValues[0]}
		}
		ss[i] = s
	}
	c := chart.Chart{
		Width: width, Height: height,
		Background: chart.Style{Padding: chart.Box{Top: 20, Left: 10, Right: 10, Bottom: 10}},
		XAxis:      chart.XAxis{Ticks: monthTicks(months)},
		YAxis:      chart.YAxis{Name: yName, Range: &chart.ContinuousRange{Min: 0, Max: maxY(ss)}},
		Series:     ss,
	}
	c.Elements = []chart.Renderable{chart.LegendThin(&c)}
	return svg(c)
}

func maxY(ss []chart.Series) float64 {
	m := 1.0
	for _, s := range ss {
		if cs, ok := s.(chart.ContinuousSeries); ok {
			for _, y := range cs.YValues {
				if y > m {
					m = y
				}
			}
		}
	}
	return m * 1.1
}

func barChart(bars []chart.Value) (template.HTML, error) {
	if len(bars) == 0 {
		return noData, nil
	}
	top := 1.0
	for _, b := range bars {
		if b.Value > top {
			top = b.Value
		}
	}
	return svg(chart.BarChart{
		Width: width, Height: height, BarWidth: max(12, 420/len(bars)), BarSpacing: 8,
		Background: chart.Style{Padding: chart.Box{Top: 30}},
		YAxis:      chart.YAxis{Range: &chart.ContinuousRange{Min: 0, Max: top * 1.1}},
		XAxis:      chart.Style{TextRotationDegrees: 0},
		Bars:       bars,
	})
}

func line(name string, c drawing.Color, ys []float64, dashed bool) chart.ContinuousSeries {
	st := chart.Style{StrokeColor: c, StrokeWidth: 2}
	if dashed {
		st.StrokeDashArray = []float64{6, 4}
	}
	return chart.ContinuousSeries{Name: name, Style: st, YValues: ys}
}

func trendChart(d Data) (template.HTML, error) {
	var months []string
	var outs, ins []float64
	for _, m := range d.Monthly {
		months = append(months, m.Month)
		outs = append(outs, float64(m.OptOuts))
		ins = append(ins, float64(m.OptIn))
	}
	return lineChart(months, "requests", line("opt-outs", red, outs, false), line("opt-ins", green, ins, false))
}

func processingChart(d Data) (template.HTML, error) {
	var months []string
	var avg, p95, target, limit []float64
	for _, p := range d.Processing {
		if p.Processed == 0 {
			continue
		}
		months = append(months, p.Month)
		avg = append(avg, p.Avg)
		p95 = append(p95, p.P95)
		target = append(target, float64(d.TargetDays))
		limit = append(limit, float64(d.SLADays))
	}
	return lineChart(months, "business days",
		line("average", blue, avg, false), line("95th percentile", amber, p95, false),
		line(fmt.Sprintf("target (%d)", d.TargetDays), green, target, true),
		line(fmt.Sprintf("legal limit (%d)", d.SLADays), red, limit, true))
}

func rateChart(d Data) (template.HTML, error) {
	var bars []chart.Value
	for _, r := range d.RateBySource {
		bars = append(bars, chart.Value{Label: r.Source, Value: 100 * r.Rate, Style: chart.Style{FillColor: blue, StrokeColor: blue}})
	}
	return barChart(bars)
}

func syncChart(d Data) (template.HTML, error) {
	var bars []chart.Value
	for _, s := range d.Sync {
		c := green
		if s.Failures > 0 {
			c = red
		}
		bars = append(bars, chart.Value{Label: fmt.Sprintf("%s (%d/%d)", s.Export, s.Failures, s.Checks), Value: float64(s.Suppressed),
			Style: chart.Style{FillColor: c, StrokeColor: c}})
	}
	return barChart(bars)
}

func countBars(counts []Count, limit int, highlight string) []chart.Value {
	sorted := append([]Count{}, counts...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Requests > sorted[j].Requests })
	if len(sorted) > limit {
		sorted = sorted[:limit]
	}
	var bars []chart.Value
	for _, c := range sorted {
		col := blue
		if strings.EqualFold(c.Label, highlight) {
			col = amber
		}
		bars = append(bars, chart.Value{Label: c.Label, Value: float64(c.Requests), Style: chart.Style{FillColor: col, StrokeColor: col}})
	}
	return bars
}

func categoriesChart(d Data) (template.HTML, error) { return barChart(countBars(d.Categories, 8, "")) }

func geographyChart(d Data) (template.HTML, error) { return barChart(countBars(d.Geography, 10, "CA")) }

func annualChart(d Data) (template.HTML, error) {
	var bars []chart.Value
	for _, a := range d.Annual {
		bars = append(bars,
			chart.Value{Label: fmt.Sprintf("%d mean", a.Year), Value: a.MeanDays, Style: chart.Style{FillColor: blue, StrokeColor: blue}},
			chart.Value{Label: fmt.Sprintf("%d median", a.Year), Value: a.MedianDays, Style: chart.Style{FillColor: grey, StrokeColor: grey}})
	}
	return barChart(bars)
}
