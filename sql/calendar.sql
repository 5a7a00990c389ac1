{{ define "calendar" -}}
-- Every civil day of the calendar window (SPEC §8) with business = a
-- business day as the Go calendar decided (weekdays minus observed federal
-- and company holidays); bd_le counts the business days up to and including
-- the day, bd_ge is the number of the first business day on or after it.
WITH business AS (
  SELECT CAST(unnest(string_split({{ param .P.BusinessDays }}, ',')) AS DATE) AS day
),
days AS (
  SELECT CAST(d AS DATE) AS day
  FROM range({{ param .P.CalendarFrom }}::DATE, {{ param .P.CalendarTo }}::DATE + INTERVAL 1 DAY, INTERVAL 1 DAY) t(d)
),
counted AS (
  SELECT days.day, b.day IS NOT NULL AS business,
    CAST(sum(CASE WHEN b.day IS NOT NULL THEN 1 ELSE 0 END) OVER (ORDER BY days.day) AS INTEGER) AS bd_le
  FROM days LEFT JOIN business b ON b.day = days.day
)
SELECT day, business, bd_le, bd_le + CASE WHEN business THEN 0 ELSE 1 END AS bd_ge FROM counted
{{- end }}
