package transforms

import (
	"testing"
	"time"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// Counted by hand on a paper calendar.
func TestNthBusinessDayAfter(t *testing.T) {
	cases := []struct {
		name, received string
		n              int
		holidays       []string
		want           string
	}{
		{"Thanksgiving: the Friday after is a business day", "2026-11-25", 1, nil, "2026-11-27"},
		{"Thanksgiving, 5 days", "2026-11-25", 5, nil, "2026-12-03"},
		{"Thanksgiving, 15 days", "2026-11-25", 15, nil, "2026-12-17"},
		{"company holiday after Thanksgiving", "2026-11-25", 1, []string{"2026-11-27"}, "2026-11-30"},
		{"Christmas Friday and New Year Friday", "2026-12-23", 10, nil, "2027-01-08"},
		{"Christmas Eve is a business day", "2026-12-23", 1, nil, "2026-12-24"},
		{"4 July 2026 is a Saturday, observed Friday 3rd", "2026-07-02", 1, nil, "2026-07-06"},
		{"New Year 2022 a Saturday, observed Friday 31 Dec 2021", "2021-12-30", 1, nil, "2022-01-03"},
		{"Juneteenth 2027 a Saturday, observed Friday 18th", "2027-06-17", 1, nil, "2027-06-21"},
		{"Christmas 2022 a Sunday, observed Monday 26th", "2022-12-23", 1, nil, "2022-12-27"},
		{"received on a Saturday", "2026-11-21", 1, nil, "2026-11-23"},
		{"MLK day 2027", "2027-01-15", 1, nil, "2027-01-19"},
	}
	for _, c := range cases {
		got := NewCalendar(c.holidays).NthBusinessDayAfter(day(c.received), c.n)
		if got.Format(time.DateOnly) != c.want {
			t.Errorf("%s: %d business days after %s = %s, want %s", c.name, c.n, c.received, got.Format(time.DateOnly), c.want)
		}
	}
}

func TestBusinessDaysOfAYear(t *testing.T) {
	// 2026: 261 weekdays, 11 federal holidays all on weekdays except 4 July
	// (Saturday, observed Friday 3 July, still a weekday): 250 business days.
	got := NewCalendar(nil).BusinessDays(day("2026-01-01"), day("2026-12-31"))
	if n := len(got)/11 + 1; n != 250 {
		t.Errorf("2026 has %d business days, want 250", n)
	}
}
