{{ define "requests_ledger" -}}
-- The 24-month record (SPEC §6): one row per request_id ever counted.
-- first_enforced_at / first_enforced_date are set by the first run that
-- counted the request and never change; the other columns follow the run
-- for the latest date that counted it (a backfill of an earlier date does
-- not roll them back).
WITH cur AS (
  SELECT r.request_id, r.received_at, r.request_type, r.categories, r.status, r.source,
    r.state, r.traffic_source, coalesce(m.n, 0) AS matched_customers
  FROM {{ tmp "requests" }} r
  LEFT JOIN (SELECT request_id, count(*) AS n FROM {{ tmp "customer_matches" }} GROUP BY request_id) m USING (request_id)
),
prev AS (
{{- if .HasPrevLedger }}
  SELECT request_id, received_at, request_type, categories, status, source, state, traffic_source,
    matched_customers, first_enforced_at, first_enforced_date, last_enforced_date
  FROM {{ ident "prev_requests_ledger" }}
{{- else }}
  SELECT *, CAST(NULL AS TIMESTAMPTZ) AS first_enforced_at, CAST(NULL AS DATE) AS first_enforced_date,
    CAST(NULL AS DATE) AS last_enforced_date FROM cur WHERE false
{{- end }}
),
merged AS (
  SELECT
    c.request_id IS NOT NULL AND (p.request_id IS NULL OR p.last_enforced_date <= {{ param .P.Date }}::DATE) AS take_cur,
    c, p
  FROM cur c FULL OUTER JOIN prev p ON p.request_id = c.request_id
)
SELECT
  CASE WHEN take_cur THEN c.request_id ELSE p.request_id END AS request_id,
  CASE WHEN take_cur THEN c.received_at ELSE p.received_at END AS received_at,
  CASE WHEN take_cur THEN c.request_type ELSE p.request_type END AS request_type,
  CASE WHEN take_cur THEN c.categories ELSE p.categories END AS categories,
  CASE WHEN take_cur THEN c.status ELSE p.status END AS status,
  CASE WHEN take_cur THEN c.source ELSE p.source END AS source,
  CASE WHEN take_cur THEN c.state ELSE p.state END AS state,
  CASE WHEN take_cur THEN c.traffic_source ELSE p.traffic_source END AS traffic_source,
  CASE WHEN take_cur THEN c.matched_customers ELSE p.matched_customers END AS matched_customers,
  coalesce(p.first_enforced_at, {{ param .P.Now }}::TIMESTAMPTZ) AS first_enforced_at,
  coalesce(p.first_enforced_date, {{ param .P.Date }}::DATE) AS first_enforced_date,
  CASE WHEN take_cur THEN {{ param .P.Date }}::DATE ELSE p.last_enforced_date END AS last_enforced_date
FROM merged
{{- end }}
