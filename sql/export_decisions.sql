-- The rows of export {{ .Export.Name }} that are suppressed, and why
-- (SPEC §5 rules 4-5), from the row's state per category
-- (export_row_state): dropped when the latest request of R(x) covering the
-- category, or the channel, is an opt_out; in mode require_opt_in, also when
-- the one covering the category is not an opt_in. The reason of a row
-- dropped for its category names how its deciding opt_out reached it:
-- customer_opted_out when it is a request of a customer the row reaches
-- (who is then opted out by it too), identifier_opted_out when it came only
-- through the row's own keys. Only the dropped rows are kept here: the
-- export writes every usable row that is not among them.
WITH flagged AS (
  SELECT r._file, r._row, c.state AS cat_state, c.through_customer, ch.state AS chan_state
{{- if .RequireOptIn }}
  -- Every usable row: one no request covers is not opted in.
  -- (Read in place, rows with the same keys share their _row: decided once.)
  FROM (SELECT {{ if .Src.InPlace }}DISTINCT {{ end }}_file, _row FROM {{ tmp (print "export_rows__" .Export.Name) }} WHERE reason IS NULL) r
{{- else }}
  -- Only a row some request covers can be dropped: those export_row_state holds.
  FROM (SELECT DISTINCT _file, _row FROM {{ tmp (print "export_row_state__" .Export.Name) }}) r
{{- end }}
  LEFT JOIN {{ tmp (print "export_row_state__" .Export.Name) }} c
    ON c._file = r._file AND c._row = r._row AND c.category = {{ param .Export.Category }}
  LEFT JOIN {{ tmp (print "export_row_state__" .Export.Name) }} ch
    ON ch._file = r._file AND ch._row = r._row AND ch.category = {{ param .ChannelCategory }}
)
SELECT _file, _row, reason
FROM (SELECT _file, _row, {{ template "drop_reason" . }} AS reason FROM flagged) AS decided
WHERE reason IS NOT NULL
