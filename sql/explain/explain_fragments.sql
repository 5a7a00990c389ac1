-- optout explain: one person as of D, over the temp tables of a run for D
-- that wrote nothing. The subject is the identifier typed, normalized as
-- every input is; its keys are explain_keys. Each section is a temp table
-- (explain_<section>), read back in order by read_explain_<section>: a
-- BigQuery table has no order. One text for both engines: the Dialect
-- functions render what differs, and nullable sort keys say NULLS LAST
-- (DuckDB's default, not BigQuery's). The pieces the sections share:
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

{{ define "explain_events" -}}
SELECT 'subject' AS subject, rc.request_id, rc.request_type, rc.received_at, rc.category, rc.ord
FROM {{ tmp "request_categories" }} rc JOIN (SELECT DISTINCT request_id FROM {{ tmp "explain_requests" }}) e ON e.request_id = rc.request_id
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
