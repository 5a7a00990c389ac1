{{ define "export_decisions" -}}
-- Why each usable row of export {{ .Export.Name }} is suppressed, or NULL
-- when it is kept (SPEC §5 rules 4-5): its category, then its channel; in
-- mode require_opt_in, a row whose latest covering request for the
-- category is not an explicit opt_in.
WITH row_keys AS (
  SELECT _file, _row, k FROM {{ unnestRows (tmp (print "export_rows__" .Export.Name)) "keys" "k" "reason IS NULL" }}
),
hits AS (
  SELECT rk._file, rk._row,
    {{ boolOr (print "s.category = " (param .Export.Category)) }} AS category_hit,
    {{ boolOr (print "s.category = " (param .Export.Category) " AND s.via_customer") }} AS customer_hit,
    {{ boolOr (print "s.category = " (param .ChannelCategory)) }} AS channel_hit
  FROM row_keys rk
  JOIN {{ tmp "suppressed_keys" }} s ON s.kind = rk.k.kind AND s.value = rk.k.value
  WHERE s.category IN ({{ param .Export.Category }}, {{ param .ChannelCategory }})
  GROUP BY rk._file, rk._row
)
SELECT r._file, r._row,
  CASE WHEN h.customer_hit THEN 'customer_opted_out'
       WHEN h.category_hit THEN 'identifier_opted_out'
       WHEN h.channel_hit THEN 'channel_opted_out'
{{- if .RequireOptIn }}
       WHEN st.state IS DISTINCT FROM 'opt_in' THEN 'not_opted_in'
{{- end }}
  END AS reason
FROM {{ tmp (print "export_rows__" .Export.Name) }} r
LEFT JOIN hits h ON h._file = r._file AND h._row = r._row
{{- if .RequireOptIn }}
LEFT JOIN {{ tmp (print "export_row_state__" .Export.Name) }} st ON st.subject.f = r._file AND st.subject.r = r._row
{{- end }}
WHERE r.reason IS NULL
{{- end }}
