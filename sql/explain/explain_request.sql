-- The request's life as of D, in one row (none when no row of it and no
-- ledger entry exist): received, counted or why not (explain_not_counted),
-- first enforced (the published ledger: a run not yet published has
-- enforced nothing), deadline and SLA status (the ledger a run for D now
-- would write, its status reckoned from the published enforcement: open or
-- open_breached until one is published).
WITH req_rows AS (
  SELECT * FROM (
    {{ template "explain_request_rows_as_of" . }}
  ) WHERE request_id = optout_id(CAST({{ param .Subject }} AS STRING))
),
why AS (
  {{ template "explain_not_counted" . }}
),
-- Its newest row, which tells what it asks when no row of it is read for D.
latest AS (
  SELECT * FROM req_rows ORDER BY {{ template "current_row_order" }} LIMIT 1
),
ids AS (
  SELECT request_id FROM req_rows
  UNION DISTINCT
  SELECT request_id FROM {{ tmp "ledger" }} WHERE request_id = optout_id(CAST({{ param .Subject }} AS STRING))
),
-- The published first enforcement: the ledger's, or for a request that
-- ledger retention has removed since, the one requests_ledger_removed
-- remembers (it was enforced all the same).
published AS (
  SELECT * FROM (SELECT CAST(NULL AS STRING) AS request_id, {{ null "timestamp" }} AS first_enforced_at, CAST(NULL AS DATE) AS first_enforced_date) AS _none WHERE false
{{- if .HasPrevLedger }}
  UNION ALL
  SELECT request_id, first_enforced_at, first_enforced_date FROM {{ rel "prev_requests_ledger" }}
  WHERE first_enforced_at IS NOT NULL
{{- end }}
{{- if .HasPrevLedgerRemoved }}
  UNION ALL
  SELECT request_id, first_enforced_at, first_enforced_date FROM {{ rel "prev_requests_ledger_removed" }}
  WHERE first_enforced_at IS NOT NULL
{{- if .HasPrevLedger }}
    AND request_id NOT IN (SELECT request_id FROM {{ rel "prev_requests_ledger" }} WHERE first_enforced_at IS NOT NULL)
{{- end }}
{{- end }}
)
SELECT i.request_id,
  coalesce(l.received_at, c.received_at, n.received_at) AS received_at,
  coalesce(l.request_type, c.request_type, n.request_type) AS request_type,
  array_to_string(coalesce(l.categories, c.categories, n.categories), ',') AS categories,
  coalesce(l.status, c.status, n.status) AS status,
  coalesce(l.source, c.source, n.source) AS source,
  coalesce(l.state, c.state, n.state) AS state,
  l.matched_customers,
  coalesce(w.counted, false) AS counted,
  CASE WHEN w.request_id IS NULL THEN 'no row of it in the request sources' ELSE w.not_counted_because END AS not_counted_because,
  l.request_id IS NOT NULL AS in_ledger,
  p.first_enforced_at, CAST(p.first_enforced_date AS STRING) AS first_enforced_date,
  p.request_id IS NULL AND coalesce(w.counted, false) AS enforced_by_next_run,
  l.deadline, l.sla_business_days,
  CASE WHEN p.request_id IS NOT NULL THEN l.business_days END AS business_days,
  CASE WHEN p.request_id IS NOT NULL OR l.deadline IS NULL THEN l.sla_status
       WHEN {{ cast (param .P.Now) "timestamp" }} <= l.deadline THEN 'open'
       ELSE 'open_breached' END AS sla_status
FROM ids i
LEFT JOIN {{ tmp "ledger" }} l ON l.request_id = i.request_id
LEFT JOIN {{ tmp "current_requests" }} c ON c.request_id = i.request_id
LEFT JOIN why w ON w.request_id = i.request_id
LEFT JOIN latest n ON n.request_id = i.request_id
LEFT JOIN published p ON p.request_id = i.request_id
