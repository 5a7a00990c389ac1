-- calendar in GoogleSQL: bd_le is RANGE_BUCKET of the day in the sorted
-- business days (how many are ≤ it), a lookup per day instead of a running
-- sum, which the emulator evaluates with memory quadratic in the ~10,500
-- days; a day is a business day when the count grows from the day before.
-- day_end as in calendar.sql.
WITH business AS (
  SELECT ARRAY_AGG(CAST(d AS DATE) ORDER BY CAST(d AS DATE)) AS days FROM {{ listRows (split (param .P.BusinessDays) "','") "d" }}
),
counted AS (
  SELECT day, RANGE_BUCKET(day, (SELECT days FROM business)) AS bd_le,
    RANGE_BUCKET(DATE_SUB(day, INTERVAL 1 DAY), (SELECT days FROM business)) AS bd_before
  FROM {{ dateSeries (dateParam .P.CalendarFrom) (dateParam .P.CalendarTo) "day" }}
)
SELECT day, bd_le > bd_before AS business, bd_le, bd_le + CASE WHEN bd_le > bd_before THEN 0 ELSE 1 END AS bd_ge,
  CASE WHEN bd_le > bd_before THEN {{ endOfDay "day" (lit .P.TimeZone) }} END AS day_end
FROM counted
