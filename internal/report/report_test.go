package report

import (
	"fmt"
	"html/template"
	"regexp"
	"strings"
	"testing"
)

// The axis of a chart starts at 0 and ends at the first round number above
// its largest value, in 3 to 6 round steps: a rate near 0.04 % gets an axis
// to 0.04 %, not 0 to 1.10.
func TestNiceScale(t *testing.T) {
	for _, c := range []struct {
		hi        float64
		whole     bool
		top, step float64
	}{
		{0.039, false, 0.04, 0.01},
		{418, true, 500, 100},
		{93.45, true, 100, 20},
		{230, true, 250, 50},
		{10.6, false, 12, 2},
		{7, true, 8, 2},
		{3, true, 3, 1},
		{1, true, 1, 1},
		{0, true, 1, 1},
	} {
		top, step := niceScale(c.hi, c.whole)
		if top != c.top || step != c.step {
			t.Errorf("niceScale(%v, %v) = %v by %v, want %v by %v", c.hi, c.whole, top, step, c.top, c.step)
		}
	}
	var labels []string
	for _, tk := range tickLabels(0.04, 0.01, " %") {
		labels = append(labels, tk.Label)
	}
	if got := fmt.Sprint(labels); got != "[0.00 % 0.01 % 0.02 % 0.03 % 0.04 %]" {
		t.Errorf("ticks %s", got)
	}
}

func TestFormats(t *testing.T) {
	for got, want := range map[string]string{
		Percent(0.7727): "77.3 %", Percent(0.00037): "0.037 %", Percent(0.0045): "0.45 %", Percent(0): "0.0 %", Percent(1): "100.0 %",
		Days(12.5): "12.5", Days(34): "34", Days(13.181818): "13.2",
		Int(194442): "194,442", Int(77): "77", Int(-1234): "-1,234",
		DaysLeft(0): "due today", DaysLeft(1): "1 day left", DaysLeft(12): "12 days left", DaysLeft(-3): "3 days overdue",
		MonthName("2026-11"): "November 2026",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

// A dashboard whose requests all fall in one month (its first month in
// service) draws its month charts: go-chart refused an axis of one month.
func TestRenderOneMonth(t *testing.T) {
	d := Data{
		Monthly:    []Monthly{{Month: "2026-11", Requests: 2, OptOuts: 2}},
		Processing: []Processing{{Month: "2026-11", Requests: 2, Processed: 1, Avg: 6, P95: 6, OpenPastDue: 1}},
		TargetDays: 10, SLADays: 45,
	}
	var page strings.Builder
	if err := Render(&page, d); err != nil {
		t.Fatal(err)
	}
	for _, draw := range []func(Data) (template.HTML, error){trendChart, processingChart, breachChart} {
		svg, err := draw(d)
		if err != nil || !strings.Contains(string(svg), "2026-11") {
			t.Errorf("a one-month chart: %v, without its month:\n%.300s", err, svg)
		}
	}
}

// Months without rows keep their place on a chart's axis: drawn from the
// months with rows alone, July, August and November stood evenly apart
// and the lines went straight from August to November.
func TestChartsKeepEmptyMonths(t *testing.T) {
	d := Data{
		Monthly: []Monthly{{Month: "2026-07", Requests: 2, OptOuts: 2}, {Month: "2026-08", Requests: 1, OptOuts: 1}, {Month: "2026-11", Requests: 3, OptOuts: 2, OptIn: 1}},
		Processing: []Processing{{Month: "2026-07", Requests: 2, Processed: 2, Avg: 6, P95: 8}, {Month: "2026-08", Requests: 1, Processed: 1, Avg: 3, P95: 3},
			{Month: "2026-11", Requests: 3, Processed: 1, Avg: 4, P95: 4, OpenPastDue: 1}},
		TargetDays: 10, SLADays: 45,
	}
	for name, draw := range map[string]func(Data) (template.HTML, error){"trend": trendChart, "processing": processingChart, "breaches": breachChart} {
		svg, err := draw(d)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []string{"2026-07", "2026-08", "2026-09", "2026-10", "2026-11"} {
			if !strings.Contains(string(svg), ">"+m+"<") {
				t.Errorf("%s chart: no %s on its axis", name, m)
			}
		}
	}
	if got, place := monthAxis([]string{"2025-12", "2026-02"}); strings.Join(got, ",") != "2025-12,2026-01,2026-02" || place["2026-02"] != 2 {
		t.Errorf("monthAxis across a year: %v, %v", got, place)
	}
}

// Values the page takes from the inputs as written are redacted: a state
// or traffic_source column holding an address or a phone number, and a
// request id that is an address, were drawn and listed as they were. A
// request id keeps its numbers (it is what finds the request in the log).
func TestRenderRedactsInputValues(t *testing.T) {
	rate := 0.5
	d := Data{
		Open: []OpenRequest{
			{RequestID: "dana@example.com", State: "bob.smith@example.com", Status: "pending", Received: "2026-11-20", Deadline: "2026-12-11"},
			{RequestID: "4155550123", State: "415-555-0199", Status: "pending", Received: "2026-11-20", Deadline: "2026-12-11"},
		},
		OpenTotal:    2,
		RateBySource: []SourceRate{{Source: "eve@example.com", OptOuts: 1, Rate: &rate}},
		Geography:    []Count{{Label: "4155550177", Requests: 1, Share: 1}, {Label: "CA", Requests: 1, Share: 1}},
		Categories:   []Count{{Label: "carol@example.com", Requests: 1, Share: 1}},
		Monthly:      []Monthly{{Month: "2026-11", Requests: 2, OptOuts: 2}},
		TargetDays:   5, SLADays: 15,
	}
	var page strings.Builder
	if err := Render(&page, d); err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{"dana@example.com", "bob.smith@example.com", "eve@example.com", "carol@example.com", "415-555-0199", "4155550177"} {
		if strings.Contains(page.String(), raw) {
			t.Errorf("the page shows %s", raw)
		}
	}
	for _, kept := range []string{"4155550123", ">CA<"} {
		if !strings.Contains(page.String(), kept) {
			t.Errorf("the page lost %s", kept)
		}
	}
	if d.Open[0].RequestID != "dana@example.com" {
		t.Errorf("Render changed the caller's data: %s", d.Open[0].RequestID)
	}
}

// With no requests by state, California's share is n/a, not 0.0 %.
func TestCaliforniaShareOfNothing(t *testing.T) {
	var page strings.Builder
	if err := Render(&page, Data{TargetDays: 5, SLADays: 15}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), "California (amber) is "+NA+" of all requests") {
		t.Errorf("the geography note without requests: %q", regexp.MustCompile(`California[^<]*`).FindString(page.String()))
	}
}

// With per-state SLAs the page names them wherever it states the SLA: its
// breach figures use each request's state's.
func TestStateSLAsAreNamed(t *testing.T) {
	var page strings.Builder
	d := Data{TargetDays: 5, SLADays: 15, StateSLA: map[string]int{"NY": 20, "CA": 10},
		Monthly: []Monthly{{Month: "2026-11", Requests: 1, OptOuts: 1}}}
	if err := Render(&page, d); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(page.String(), "by state: CA 10, NY 20"); n != 3 {
		t.Errorf("the per-state SLAs are named %d times, want 3 (the header, the breaches, the processing time)", n)
	}
	page.Reset()
	d.StateSLA = nil
	if err := Render(&page, d); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(page.String(), "by state:") {
		t.Error("per-state SLAs named without any")
	}
}
