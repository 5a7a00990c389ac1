-- Every civil day of the calendar window (SPEC §8) with business = a
-- business day as the Go calendar decided (weekdays minus observed federal
-- and company holidays); bd_le counts the business days up to and including
-- the day, bd_ge is the number of the first business day on or after it.
-- day_end, a business day's last instant in the time zone, is the
-- deadline of a request due that day: made here once a day, not once a
-- request in the ledger (two time zone conversions a row were most of a
-- first ledger's time).
WITH business AS (
  SELECT CAST(d AS DATE) AS day FROM {{ listRows (split (param .P.BusinessDays) "','") "d" }}
),
days AS (
  SELECT day FROM {{ dateSeries (dateParam .P.CalendarFrom) (dateParam .P.CalendarTo) "day" }}
),
counted AS (
  SELECT days.day, b.day IS NOT NULL AS business,
    {{ cast "sum(CASE WHEN b.day IS NOT NULL THEN 1 ELSE 0 END) OVER (ORDER BY days.day)" "int32" }} AS bd_le
  FROM days LEFT JOIN business b ON b.day = days.day
)
SELECT day, business, bd_le, bd_le + CASE WHEN business THEN 0 ELSE 1 END AS bd_ge,
  CASE WHEN business THEN {{ endOfDay "day" (lit .P.TimeZone) }} END AS day_end
FROM counted
