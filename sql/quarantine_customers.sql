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
-- customer_rows kept such a row's id: the rows are found by it, as an
-- export's are (quarantine.sql). With none, nearly every night, the join
-- has nothing to build, and DuckDB ends it before it reads the customers
-- a third time (testing every customer_id again took 0.6 s at 10M).
FROM {{ rel .Src.View }} src
JOIN (SELECT _file, _row FROM {{ tmp "customer_rows" }} WHERE _row IS NOT NULL) q ON q._file = src._file AND q._row = src._row
{{- end }}
