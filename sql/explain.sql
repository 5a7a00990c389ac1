{{/* optout explain: one person as of D, over the temp tables of a run for D
     that wrote nothing. The subject is the identifier typed, normalized
     as every input is; its keys are explain_keys. Each section is a temp
     table (explain_<section>), read back in order by read_explain_<section>:
     a BigQuery table has no order. One text for both engines: the Dialect
     functions render what differs, and nullable sort keys say NULLS LAST
     (DuckDB's default, not BigQuery's). */}}

{{ define "explain_keys" -}}
SELECT DISTINCT k.kind AS kind, k.value AS value
FROM {{ unnestRows (.Keys.From (print "(SELECT " (cast (param .Subject) "text") " AS v)")) .Keys.List "k" "" }}
{{- end }}

{{ define "read_explain_keys" -}}
SELECT * FROM {{ tmp "explain_keys" }} ORDER BY kind, value
{{- end }}

{{ define "explain_all_customer_keys" -}}
{{- /* K(c) of every customer, as a relation (customer_id, kind, value):
     customer_keys holds only the customers a request reaches, and the
     subject may have none. */ -}}
(
  SELECT customer_id, k.kind AS kind, k.value AS value
  FROM {{ unnestRows (print "(SELECT customer_id, " .CustomerKeys.List " AS keys FROM " (tmp "customer_rows") " WHERE reason IS NULL)") "keys" "k" "" }}
{{- if .HasLinks }}
  UNION DISTINCT
  SELECT l.customer_id, l.k.kind, l.k.value
  FROM {{ unnestRows (.LinkKeys.WithList (tmp "link_rows")) "keys" "k" "reason IS NULL" }} AS l
  WHERE l.customer_id IN (SELECT customer_id FROM {{ tmp "customer_rows" }} WHERE reason IS NULL)
{{- end }}
)
{{- end }}

{{ define "explain_customers" -}}
-- C(x): the customers sharing a key with the subject.
SELECT ck.customer_id, string_agg(DISTINCT ck.kind, ', ' ORDER BY ck.kind) AS through
FROM {{ template "explain_all_customer_keys" . }} ck JOIN {{ tmp "explain_keys" }} x ON x.kind = ck.kind AND x.value = ck.value
GROUP BY ck.customer_id
{{- end }}

{{ define "read_explain_customers" -}}
SELECT * FROM {{ tmp "explain_customers" }} ORDER BY customer_id
{{- end }}

{{ define "explain_requests" -}}
-- R(x): the counted requests on the subject's keys, and those of its customers (SPEC §5 rule 4).
WITH hits AS (
  SELECT rk.request_id, 'own key (' || rk.kind || ')' AS via
  FROM {{ tmp "request_keys" }} rk JOIN {{ tmp "explain_keys" }} x ON x.kind = rk.kind AND x.value = rk.value
  UNION DISTINCT
  SELECT m.request_id, 'customer ' || m.customer_id
  FROM {{ tmp "customer_matches" }} m JOIN {{ tmp "explain_customers" }} c ON c.customer_id = m.customer_id
),
vias AS (
  SELECT request_id, string_agg(via, '; ' ORDER BY via) AS via FROM hits GROUP BY request_id
)
SELECT r.request_id, r.received_at, r.request_type, array_to_string(r.categories, ',') AS categories, r.status, r.source, h.via
FROM {{ tmp "requests" }} r JOIN vias h ON h.request_id = r.request_id
{{- end }}

{{ define "read_explain_requests" -}}
SELECT * FROM {{ tmp "explain_requests" }} ORDER BY received_at, request_id
{{- end }}

{{ define "explain_state" -}}
-- The state per category, as customer_category_state decides it, and since
-- when and through which request it holds (the verdict's words): an
-- opt-out since its opt_out_date, through the first opt_out of the
-- category at that instant in rule 2's order (the least request_id); an
-- opt-in since its deciding request.
WITH events AS (
  {{ template "explain_events" . }}
)
{{ template "category_states" . }}
SELECT s.subject, s.category, s.state, s.deciding_request_id, s.opt_out_date,
  CASE WHEN s.state = 'opt_out' THEN s.opt_out_date
       ELSE (SELECT min(d.received_at) FROM events d WHERE d.category = s.category AND d.request_id = s.deciding_request_id) END AS since,
  CASE WHEN s.state = 'opt_out'
       THEN (SELECT min(e.request_id) FROM events e WHERE e.category = s.category AND e.request_type = 'opt_out' AND e.received_at = s.opt_out_date)
       ELSE s.deciding_request_id END AS since_request_id
FROM states s
{{- end }}

{{ define "read_explain_state" -}}
SELECT * FROM {{ tmp "explain_state" }} ORDER BY category
{{- end }}

{{ define "explain_events" -}}
SELECT 'subject' AS subject, rc.request_id, rc.request_type, rc.received_at, rc.category
FROM {{ tmp "request_categories" }} rc JOIN (SELECT DISTINCT request_id FROM {{ tmp "explain_requests" }}) e ON e.request_id = rc.request_id
{{- end }}

{{ define "explain_exports" -}}
-- Each export row carrying one of the person's keys (the subject's own or
-- those of its matched customers), what the run decided, and why: the
-- row's own state per category of the export, from its whole R(x), with
-- the deciding request (which may differ from the subject's state above:
-- the row's other keys bring their requests too).
WITH person_keys AS (
  {{ template "explain_person_keys" . }}
)
{{- range $i, $e := .Exports }}
{{ if $i }}UNION ALL
{{ end -}}
SELECT CAST({{ param $e.Name }} AS STRING) AS export, CAST(r._file AS STRING) AS file, r._row AS {{ ident "row" }},
  CASE WHEN r.reason IS NOT NULL THEN 'quarantined: ' || r.reason
       WHEN d.reason IS NOT NULL THEN 'suppressed: ' || d.reason
       ELSE {{ param $e.KeptReason }} END AS decision,
  CASE WHEN r.reason IS NULL THEN {{ param $e.Category }} || '=' || coalesce(c.state || ' by ' || c.deciding_request_id, 'none')
{{- if $e.Channel }}
    || '; ' || {{ param $e.ChannelCategory }} || '=' || coalesce(ch.state || ' by ' || ch.deciding_request_id, 'none')
{{- end }} END AS row_state
FROM {{ ($.ExportRowKeys $e).WithList (tmp (print "export_rows__" $e.Name)) }} r
LEFT JOIN {{ tmp (print "export_decisions__" $e.Name) }} d ON d._file = r._file AND d._row = r._row
LEFT JOIN {{ tmp (print "export_row_state__" $e.Name) }} c ON c._file = r._file AND c._row = r._row AND c.category = {{ param $e.Category }}
{{- if $e.Channel }}
LEFT JOIN {{ tmp (print "export_row_state__" $e.Name) }} ch ON ch._file = r._file AND ch._row = r._row AND ch.category = {{ param $e.ChannelCategory }}
{{- end }}
WHERE EXISTS (SELECT 1 FROM {{ listRows "r.keys" "k" }} JOIN person_keys x ON x.kind = k.kind AND x.value = k.value)
{{- end }}
{{- if not .Exports }}
SELECT * FROM (SELECT CAST(NULL AS STRING) AS export, CAST(NULL AS STRING) AS file, {{ null "int" }} AS {{ ident "row" }},
  CAST(NULL AS STRING) AS decision, CAST(NULL AS STRING) AS row_state) AS _none WHERE false
{{- end }}
{{- end }}

{{ define "read_explain_exports" -}}
SELECT * FROM {{ tmp "explain_exports" }} ORDER BY export, file, {{ ident "row" }}
{{- end }}


{{ define "explain_person_keys" -}}
-- The person's keys: the subject's own and those of its matched customers
-- (the union R(x) of SPEC §5 rule 4 is the requests sharing one of them).
SELECT kind, value FROM {{ tmp "explain_keys" }}
UNION DISTINCT
SELECT ck.kind, ck.value FROM {{ template "explain_all_customer_keys" . }} ck JOIN {{ tmp "explain_customers" }} c ON c.customer_id = ck.customer_id
{{- end }}

{{ define "explain_request_rows_as_of" -}}
{{- /* Every row of every request source as a run for D reads it (the
     rows after the as-of instant marked `later`), with its input. */ -}}
{{- range $i, $s := .Requests }}
{{ if $i }}UNION ALL {{ end -}}
SELECT CAST({{ param $s.Name }} AS STRING) AS input, CAST(_file AS STRING) AS _file, _row, request_id, received_at, updated_at,
  request_type, categories, status, source, state, reason, later, keys
FROM {{ template "rows_as_of" ($.AsOfRows (print "request_rows__" $s.Name)) }} r
{{- end }}
{{- end }}

{{ define "explain_not_counted" -}}
{{- /* Why a run for D does not count a request (SPEC §5 rule 1, §9),
     continuing a WITH that defines `req_rows` (explain_request_rows_as_of) for
     the requests in question: one row per request_id with counted and
     not_counted_because. current_requests has the request when a row of it
     is usable and read for D; otherwise every row is quarantined or after
     the as-of instant. */ -}}
SELECT r.request_id, coalesce(any_value(c.counted), false) AS counted,
  CASE
    WHEN any_value(c.counted) THEN NULL
    WHEN any_value(c.status) = 'rejected' THEN 'rejected'
    WHEN any_value(c.status) = 'pending' THEN 'pending, and policy.apply_pending is false'
    WHEN {{ boolOr "r.read_reason IS NOT NULL" }} THEN
      'quarantined: ' || string_agg(DISTINCT r.read_reason, ', ' ORDER BY r.read_reason)
    -- (min ignores NULLs as bool_and would: every row with a time is after it)
    WHEN min(r.received_at) >= {{ cast (param .P.AsOf) "timestamp" }}
      THEN 'received after the as-of instant, ' || CAST({{ param (utcSeconds .P.AsOf) }} AS STRING)
    ELSE 'every row of it was updated after the as-of instant, ' || CAST({{ param (utcSeconds .P.AsOf) }} AS STRING)
      || ', so a run for the date reads none of them'
  END AS not_counted_because
FROM (
  -- the reason of a row a run for D reads and quarantines
  SELECT *, CASE WHEN NOT later THEN reason END AS read_reason FROM req_rows
) r LEFT JOIN {{ tmp "current_requests" }} c ON c.request_id = r.request_id
GROUP BY r.request_id
{{- end }}

{{ define "explain_uncounted" -}}
-- The requests on the person's keys that a run for D does not count, and
-- why: rejected, pending held back, quarantined, or after the as-of
-- instant. Each is judged on all its rows; rows without a request_id
-- (quarantined) only on those carrying one of the person's keys.
WITH person_keys AS (
  {{ template "explain_person_keys" . }}
),
all_rows AS (
  SELECT a.*, EXISTS (SELECT 1 FROM {{ listRows "a.keys" "k" }} JOIN person_keys x ON x.kind = k.kind AND x.value = k.value) AS hit
  FROM (
    {{ template "explain_request_rows_as_of" . }}
  ) a
),
req_rows AS (
  SELECT * FROM all_rows a
  WHERE NOT EXISTS (SELECT 1 FROM {{ tmp "requests" }} q WHERE q.request_id = a.request_id)
    AND (a.request_id IS NULL AND a.hit
      OR a.request_id IN (SELECT request_id FROM all_rows WHERE hit AND request_id IS NOT NULL))
),
why AS (
  {{ template "explain_not_counted" . }}
)
SELECT w.request_id, min(r.received_at) AS received_at, string_agg(DISTINCT r.input, ', ' ORDER BY r.input) AS inputs,
  w.not_counted_because
FROM req_rows r JOIN why w ON w.request_id = r.request_id OR w.request_id IS NULL AND r.request_id IS NULL
GROUP BY w.request_id, w.not_counted_because
{{- end }}

{{ define "read_explain_uncounted" -}}
SELECT * FROM {{ tmp "explain_uncounted" }} ORDER BY received_at NULLS LAST, request_id NULLS LAST
{{- end }}

{{ define "explain_request_rows" -}}
-- optout explain --request-id: every row of the request in the request
-- sources, and what a run for D makes of it: the current row (the one
-- current_requests keeps), a row an update superseded, a quarantined row,
-- or a row after the as-of instant that a run for D does not read.
WITH req_rows AS (
  SELECT * {{ except }} (keys) FROM (
    {{ template "explain_request_rows_as_of" . }}
  ) WHERE request_id = optout_id(CAST({{ param .Subject }} AS STRING))
)
SELECT input, _file AS file, _row AS {{ ident "row" }}, received_at, updated_at, request_type, array_to_string(categories, ',') AS categories, status,
  CASE WHEN later THEN 'after the as-of instant: not read for the date'
       WHEN reason IS NOT NULL THEN 'quarantined: ' || reason
       WHEN row_number() OVER (PARTITION BY reason IS NULL AND NOT later ORDER BY {{ template "current_row_order" }}) = 1 THEN 'current'
       ELSE 'superseded by a later update' END AS outcome
FROM req_rows
{{- end }}

{{ define "read_explain_request_rows" -}}
SELECT * FROM {{ tmp "explain_request_rows" }} ORDER BY updated_at NULLS LAST, received_at NULLS LAST, input, file, {{ ident "row" }}
{{- end }}

{{ define "explain_request" -}}
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
published AS (
{{- if .HasPrevLedger }}
  SELECT request_id, first_enforced_at, first_enforced_date FROM {{ rel "prev_requests_ledger" }}
  WHERE first_enforced_at IS NOT NULL
{{- else }}
  SELECT * FROM (SELECT CAST(NULL AS STRING) AS request_id, {{ null "timestamp" }} AS first_enforced_at, CAST(NULL AS DATE) AS first_enforced_date) AS _none WHERE false
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
{{- end }}

{{ define "read_explain_request" -}}
SELECT * FROM {{ tmp "explain_request" }}
{{- end }}

{{ define "explain_notified" -}}
-- The third parties told of the request (SPEC §6
-- third_party_notifications), as published by the runs of every date: each
-- row's export date, and the date of the run that first enforced the
-- request (its dt, the partition column; the export's own date is
-- export_dt there, as on BigQuery).
{{- if .Notifications }}
SELECT request_id, export, destination, CAST(export_dt AS STRING) AS export_dt, CAST(dt AS STRING) AS notified_by_run_for
FROM {{ rel .Notifications }}
WHERE request_id = optout_id(CAST({{ param .Subject }} AS STRING))
{{- else }}
SELECT * FROM (SELECT CAST(NULL AS STRING) AS request_id, CAST(NULL AS STRING) AS export, CAST(NULL AS STRING) AS destination,
  CAST(NULL AS STRING) AS export_dt, CAST(NULL AS STRING) AS notified_by_run_for) AS _none WHERE false
{{- end }}
{{- end }}

{{ define "read_explain_notified" -}}
SELECT * FROM {{ tmp "explain_notified" }} ORDER BY notified_by_run_for, export_dt, export
{{- end }}
