{{ define "drop_reason" -}}
{{- /* SPEC §5 rule 5, the one place it is written: why a row of export
  .Export is dropped, or NULL when it is kept, from the row's states
  (cat_state for the export's category, chan_state for its channel: NULL
  when no request of R(x) covers it) and through_customer (the deciding
  request of the category is one of a customer the row reaches). The leak
  check reads it too. */ -}}
CASE WHEN cat_state = 'opt_out' AND through_customer THEN 'customer_opted_out'
     WHEN cat_state = 'opt_out' THEN 'identifier_opted_out'
     WHEN chan_state = 'opt_out' THEN 'channel_opted_out'
{{- if .RequireOptIn }}
     WHEN cat_state IS DISTINCT FROM 'opt_in' THEN 'not_opted_in'
{{- end }}
END
{{- end }}

{{ define "export_decisions" -}}
-- Why each usable row of export {{ .Export.Name }} is suppressed, or NULL
-- when it is kept (SPEC §5 rules 4-5), from the row's state per category
-- (export_row_state): dropped when the latest request of R(x) covering the
-- category, or the channel, is an opt_out; in mode require_opt_in, also when
-- the one covering the category is not an opt_in. The reason of a row
-- dropped for its category names how its deciding opt_out reached it:
-- customer_opted_out when it is a request of a customer the row reaches
-- (who is then opted out by it too), identifier_opted_out when it came only
-- through the row's own keys.
WITH flagged AS (
  SELECT r._file, r._row, c.state AS cat_state, c.through_customer, ch.state AS chan_state
  FROM {{ tmp (print "export_rows__" .Export.Name) }} r
  LEFT JOIN {{ tmp (print "export_row_state__" .Export.Name) }} c
    ON c._file = r._file AND c._row = r._row AND c.category = {{ param .Export.Category }}
  LEFT JOIN {{ tmp (print "export_row_state__" .Export.Name) }} ch
    ON ch._file = r._file AND ch._row = r._row AND ch.category = {{ param .ChannelCategory }}
  WHERE r.reason IS NULL
)
SELECT _file, _row, {{ template "drop_reason" . }} AS reason
FROM flagged
{{- end }}
