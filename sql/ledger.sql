-- The request record (SPEC §6, §8): one row per request_id ever counted,
-- plus the pending requests policy.apply_pending: false holds back, whose
-- SLA clock runs all the same (first_enforced_at null, sla_status open).
-- first_enforced_at / first_enforced_date are set by the first run that
-- counted the request and never change; the other columns follow the run
-- for the latest date that saw it (a backfill of an earlier date does not
-- roll them back). A request counted once and rejected since by a
-- correction stays, with status rejected and its other columns as last
-- counted; the run that saw the rejection is then the one its columns
-- follow (last_enforced_date), so that a rerun of an earlier date, whose
-- view still has it in force, does not bring the old status back. The
-- deadline, SLA days and business days are kept from the row the ledger
-- first made (below); the SLA status follows now.
-- A request retention removed from the published record keeps the
-- first enforcement requests_ledger_removed remembers: the append-only
-- request log still holds it, and without that record every run would
-- take it as first enforced that night (and tell its third parties again).
WITH cur AS (
  SELECT r.request_id, r.received_at, r.request_type, r.categories, r.status, r.source,
    r.state, r.traffic_source, coalesce(m.n, 0) AS matched_customers, r.counted
  FROM {{ tmp "current_requests" }} r
  LEFT JOIN (SELECT request_id, count(*) AS n FROM {{ tmp "customer_matches" }} GROUP BY request_id) m USING (request_id)
  WHERE r.counted OR r.status = 'pending'
),
rejected AS (
  SELECT request_id FROM {{ tmp "current_requests" }} WHERE status = 'rejected'
),
prev AS (
{{- if .HasPrevLedger }}
  SELECT request_id, received_at, request_type, categories, status, source, state, traffic_source,
    matched_customers, first_enforced_at, first_enforced_date, last_enforced_date,
    deadline, sla_business_days, business_days
  FROM {{ rel "prev_requests_ledger" }}
{{- else }}
  SELECT * {{ except }} (counted), {{ null "timestamp" }} AS first_enforced_at, CAST(NULL AS DATE) AS first_enforced_date,
    CAST(NULL AS DATE) AS last_enforced_date, {{ null "timestamp" }} AS deadline, {{ null "int32" }} AS sla_business_days,
    {{ null "int" }} AS business_days FROM cur WHERE false
{{- end }}
),
-- (The condition "p.last_enforced_date after D", a row that follows a
-- later date, is written in each of take_cur, rejected_now and
-- keeps_deadline: computed once in a step of its own, the emulator the
-- BigQuery path is tested on dropped its connection on the ledger.)
merged AS (
  SELECT
    c.request_id IS NOT NULL AND (p.request_id IS NULL OR p.last_enforced_date IS NULL OR p.last_enforced_date <= {{ dateParam .P.Date }}) AS take_cur,
    coalesce(c.counted, false) AS counted_now,
    j.request_id IS NOT NULL AND (p.last_enforced_date IS NULL OR p.last_enforced_date <= {{ dateParam .P.Date }}) AS rejected_now,
    -- A deadline, once set, stays, with its SLA and business days: the
    -- SLA settings, holidays and time zone in force when the ledger first
    -- saw the request, not today's (a changed config rewrote every past
    -- deadline and status). A corrected received_at makes them again, and
    -- so does the run that first enforces a request first seen pending: it
    -- matches its customers, whose state's SLA may apply, only once it
    -- counts (a CA request first seen pending kept the default 15 days).
    -- A row that follows a later date (a rerun of an earlier one, whose
    -- received_at may be from before a correction) keeps them too.
    c.request_id IS NULL OR p.last_enforced_date > {{ dateParam .P.Date }}
      OR c.received_at = p.received_at AND (p.first_enforced_at IS NOT NULL OR NOT c.counted) AS keeps_deadline,
    c, p{{ if .HasPrevLedgerRemoved }}, rm{{ end }}
  FROM cur c FULL OUTER JOIN prev p ON p.request_id = c.request_id
  LEFT JOIN rejected j ON j.request_id = p.request_id
{{- if .HasPrevLedgerRemoved }}
  LEFT JOIN {{ rel "prev_requests_ledger_removed" }} rm ON rm.request_id = c.request_id
{{- end }}
),
ledger_rows AS (
  SELECT
    CASE WHEN take_cur THEN c.request_id ELSE p.request_id END AS request_id,
    CASE WHEN take_cur THEN c.received_at ELSE p.received_at END AS received_at,
    CASE WHEN take_cur THEN c.request_type ELSE p.request_type END AS request_type,
    CASE WHEN take_cur THEN c.categories ELSE p.categories END AS categories,
    CASE WHEN take_cur THEN c.status WHEN rejected_now THEN 'rejected' ELSE p.status END AS status,
    CASE WHEN take_cur THEN c.source ELSE p.source END AS source,
    CASE WHEN take_cur THEN c.state ELSE p.state END AS state,
    CASE WHEN take_cur THEN c.traffic_source ELSE p.traffic_source END AS traffic_source,
    CASE WHEN take_cur THEN c.matched_customers ELSE p.matched_customers END AS matched_customers,
    coalesce(p.first_enforced_at,{{ if .HasPrevLedgerRemoved }} rm.first_enforced_at,{{ end }} CASE WHEN counted_now THEN {{ cast (param .P.Now) "timestamp" }} END) AS first_enforced_at,
    coalesce(p.first_enforced_date,{{ if .HasPrevLedgerRemoved }} rm.first_enforced_date,{{ end }} CASE WHEN counted_now THEN {{ dateParam .P.Date }} END) AS first_enforced_date,
    CASE WHEN take_cur AND counted_now OR rejected_now THEN {{ dateParam .P.Date }} ELSE p.last_enforced_date END AS last_enforced_date,
    CASE WHEN keeps_deadline THEN p.deadline END AS kept_deadline,
    CASE WHEN keeps_deadline THEN p.sla_business_days END AS kept_sla_business_days,
    CASE WHEN keeps_deadline THEN p.business_days END AS kept_business_days
  FROM merged
  -- A request never counted leaves the record when it stops being pending;
  -- one received after D's as-of instant is a later date's (a rerun of D
  -- after it), which D cannot know about, and stays as that date left it.
  WHERE (c.request_id IS NOT NULL OR p.first_enforced_at IS NOT NULL
    OR p.received_at >= {{ cast (param .P.AsOf) "timestamp" }})
{{- if .LaterDateRan }}
    -- Nor does a rerun of D bring back one that a later date's run, which
    -- read D's requests too, took out (it was no longer pending then): as
    -- of D it is still pending, but the record stands as the later date
    -- left it. One that ledger retention took out stays for D's figures
    -- (the cutoff keeps it out of the published ledger), as it was when D
    -- first ran.
    AND NOT (p.request_id IS NULL AND NOT c.counted{{ if .HasPrevLedgerRemoved }} AND rm.request_id IS NULL{{ end }})
{{- end }}
),
{{- if .StateSLA }}
state_sla AS (
  {{ range $i, $s := .StateSLA }}{{ if $i }} UNION ALL {{ end }}SELECT {{ param $s.State }} AS state, {{ cast (param $s.Days) "int32" }} AS days{{ end }}
),
-- The SLA of a request: its own state's override, else the strictest
-- override among its matched customers' states, else the default.
sla AS (
  SELECT r.request_id,
    coalesce(any_value(own.days), min(cust.days), {{ cast (param .P.SLADays) "int32" }}) AS sla_business_days
  FROM ledger_rows r
  LEFT JOIN state_sla own ON own.state = r.state
  LEFT JOIN {{ tmp "customer_matches" }} m ON m.request_id = r.request_id
  LEFT JOIN {{ tmp "customer_facts" }} cr ON cr.customer_id = m.customer_id
  LEFT JOIN state_sla cust ON cust.state = cr.state
  GROUP BY r.request_id
),
{{- end }}
timed AS (
  SELECT r.*,
    -- Without state overrides every request has the default: no joins and
    -- no GROUP BY (which cost DuckDB ~10 ms a run on a few hundred rows).
    coalesce(r.kept_sla_business_days, {{ if .StateSLA }}s.sla_business_days{{ else }}{{ cast (param .P.SLADays) "int32" }}{{ end }}) AS sla_business_days,
    {{ civilDate "r.received_at" (param .P.TimeZone) }} AS received_day,
    {{ civilDate "r.first_enforced_at" (param .P.TimeZone) }} AS enforced_day
  FROM ledger_rows r{{ if .StateSLA }} JOIN sla s USING (request_id){{ end }}
),
dated AS (
  SELECT t.*,
    -- The end of the N-th business day after receipt, in the time zone.
    coalesce(t.kept_deadline, due.day_end) AS deadline,
    -- None for a day outside the calendar (received before 2000): its time
    -- to process cannot be counted, and 0 read as "within target".
    coalesce(t.kept_business_days, CASE WHEN enf.day IS NOT NULL AND rec.day IS NOT NULL THEN greatest(enf.bd_ge - rec.bd_le, 0) END) AS business_days
  FROM timed t
  LEFT JOIN {{ tmp "calendar" }} rec ON rec.day = t.received_day
  LEFT JOIN {{ tmp "calendar" }} due ON due.business AND due.bd_le = rec.bd_le + t.sla_business_days
  LEFT JOIN {{ tmp "calendar" }} enf ON enf.day = t.enforced_day
)
SELECT request_id, received_at, request_type, categories, status, source, state, traffic_source,
  matched_customers, first_enforced_at, first_enforced_date, deadline,
  CASE
    WHEN deadline IS NULL THEN NULL
    WHEN first_enforced_at IS NOT NULL THEN CASE WHEN first_enforced_at <= deadline THEN 'met' ELSE 'breached' END
    WHEN {{ cast (param .P.Now) "timestamp" }} <= deadline THEN 'open'
    ELSE 'open_breached'
  END AS sla_status,
  last_enforced_date, sla_business_days, business_days
FROM dated
