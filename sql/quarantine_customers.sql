-- Every customer row without a customer_id, all its columns, plus the
-- reason (SPEC §9) and the file it came from: the rows customer_rows
-- counts as missing_customer_id and customers_flagged leaves out, found
-- by the same test. A customer row has no other reason to be quarantined,
-- and customer_id identifies every row kept, so no row id is needed to
-- find them.
SELECT {{ template "quarantine_columns" . }},
  {{ rowReason "true" "missing_customer_id" }} AS reason,
  src._file AS source_file
{{- if .Src.InPlace }}
-- A table read in place (BigQuery's customers) is read by customer_rows,
-- which kept these rows' columns, and customers_flagged: not a third time.
FROM (SELECT _quarantined AS src FROM {{ tmp "customer_rows" }} WHERE _quarantined IS NOT NULL)
{{- else }}
FROM {{ rel .Src.View }} src
WHERE optout_id({{ qcol "src" .Src "customer_id" "text" }}) IS NULL
{{- end }}
