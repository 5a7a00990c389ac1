-- Export {{ .Export.Name }}'s row of export_summary (SPEC §6): rows in,
-- kept, suppressed by reason, quarantined, and the leak check, which the
-- run passes before it publishes anything. Counted as soon as the rows
-- are decided, so that their tables can go after the export's last step.
-- A row is quarantined (export_rows), suppressed (export_decisions) or
-- kept; the leak check holds the written file to rows_kept.
WITH rows_in AS (
  SELECT count(*) AS n, {{ countIf "reason IS NOT NULL" }} AS quarantined
  FROM {{ tmp (print "export_rows__" .Export.Name) }}
),
suppressed AS (
  SELECT count(*) AS n,
    {{ countIf "d.reason = 'customer_opted_out'" }} AS customer_opted_out,
    {{ countIf "d.reason = 'identifier_opted_out'" }} AS identifier_opted_out,
    {{ countIf "d.reason = 'channel_opted_out'" }} AS channel_opted_out,
    {{ countIf "d.reason = 'not_opted_in'" }} AS not_opted_in
  FROM {{ tmp (print "export_decisions__" .Export.Name) }} d
{{- if .Src.InPlace }}
  -- Read in place, a decision is made once for all the rows with its keys
  -- (_file names the one table: not read).
  JOIN {{ tmp (print "export_rows__" .Export.Name) }} r ON r._row = d._row AND r.reason IS NULL
{{- end }}
)
SELECT CAST({{ param .Export.Name }} AS STRING) AS export, CAST({{ param .Export.Destination }} AS STRING) AS destination, CAST({{ param .Export.Category }} AS STRING) AS category,
  CAST({{ param .Export.Channel }} AS STRING) AS channel, CAST({{ param .Export.Mode }} AS STRING) AS mode,
  r.n AS rows_in,
  r.n - r.quarantined - s.n AS rows_kept,
  s.n AS rows_suppressed,
  s.customer_opted_out, s.identifier_opted_out, s.channel_opted_out, s.not_opted_in,
  r.quarantined AS rows_quarantined,
  'passed' AS leak_check
FROM rows_in r CROSS JOIN suppressed s
