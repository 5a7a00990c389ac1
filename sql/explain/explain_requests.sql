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
-- first_enforced_at / _date: the published ledger's, or that of its record of
-- what retention removed (none: no published run has counted it), so that
-- explain can say when D's published outputs did not count a request it
-- counts now (one that reached the log after D's run).
SELECT r.request_id, r.received_at, r.request_type, array_to_string(r.categories, ',') AS categories, r.status, r.source, h.via,
  coalesce({{ if .HasPrevLedger }}l.first_enforced_at, {{ end }}{{ if .HasPrevLedgerRemoved }}rm.first_enforced_at, {{ end }}{{ null "timestamp" }}) AS first_enforced_at,
  CAST(coalesce({{ if .HasPrevLedger }}l.first_enforced_date, {{ end }}{{ if .HasPrevLedgerRemoved }}rm.first_enforced_date, {{ end }}CAST(NULL AS DATE)) AS STRING) AS first_enforced_date
FROM {{ template "counted_requests" }} r JOIN vias h ON h.request_id = r.request_id
{{- if .HasPrevLedger }}
LEFT JOIN {{ rel "prev_requests_ledger" }} l ON l.request_id = r.request_id
{{- end }}
{{- if .HasPrevLedgerRemoved }}
LEFT JOIN {{ rel "prev_requests_ledger_removed" }} rm ON rm.request_id = r.request_id
{{- end }}
