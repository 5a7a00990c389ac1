-- The requests still open in the ledger, most urgent first (the earliest
-- deadline, so the ones past it lead; one without a deadline last), with
-- the calendar days left from .Today (the day of the ledger run's now) to
-- the day of the deadline, in the time zone: 0 is due today, negative is
-- overdue. At most 15 past the deadline and 15 still in time, so the
-- overdue never hide the ones that can still be met. NULLS LAST is said:
-- it is DuckDB's default and not BigQuery's.
WITH open_requests AS (
  SELECT request_id, received_at, deadline, coalesce(state, '') AS state, sla_status,
    {{ daysBetween (dateParam .Today) (civilDate "deadline" (param .TimeZone)) }} AS days_left,
    row_number() OVER (PARTITION BY sla_status ORDER BY deadline NULLS LAST, request_id) AS urgency
  FROM {{ rel "requests_ledger" }} WHERE sla_status IN ('open', 'open_breached')
)
SELECT request_id,
  CAST({{ civilDate "received_at" (param .TimeZone) }} AS STRING) AS received,
  CAST({{ civilDate "deadline" (param .TimeZone) }} AS STRING) AS deadline,
  days_left, state, sla_status
FROM open_requests
WHERE urgency <= 15
ORDER BY open_requests.deadline NULLS LAST, request_id
