-- Every customer row without a customer_id, all its columns, plus the
-- reason (SPEC §9) and the file it came from: the rows customer_rows
-- counts as missing_customer_id and customers_flagged leaves out. A
-- customer row has no other reason to be quarantined.
SELECT {{ template "quarantine_columns" . }},
  {{ rowReason "true" "missing_customer_id" }} AS reason,
  src._file AS source_file
{{- if .Src.InPlace }}
-- A table read in place (BigQuery's customers) is read by customer_rows,
-- which kept these rows' columns, and customers_flagged: not a third time.
FROM (SELECT _quarantined AS src FROM {{ tmp "customer_rows" }} WHERE _quarantined IS NOT NULL)
{{- else }}
-- Only the files where customer_rows found such a row are read again
-- (files_missing_customer_id). With none, nearly every night, the join
-- has nothing to build and DuckDB ends it at once, where it tested every
-- customer_id again (0.6 s at 10M). The test names m so that it runs
-- after the join: pushed into the scan, it would run on every customer
-- before the join could end. (A DuckDB that saw through the CASE would
-- push it there again: the step's time at 10M, in the bench, shows it.)
FROM {{ rel .Src.View }} src
JOIN {{ tmp "files_missing_customer_id" }} m ON m._file = src._file
WHERE optout_id(CASE WHEN m._file IS NOT NULL THEN {{ qcol "src" .Src "customer_id" "text" }} END) IS NULL
{{- end }}
