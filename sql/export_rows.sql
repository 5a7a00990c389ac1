-- Every row of export {{ .Src.Name }} with the keys of its mapped identifier
-- columns; a row with no valid key cannot be checked and is quarantined.
-- The keys stay flat value columns (Plan.ExportRowKeys): a list of structs
-- per row held ~20 bytes a row more.
{{- $from := rel .Src.View }}
{{- if .Src.InPlace }}
-- Read in place (bigquery.read_exports_in_place), the table has no row
-- id: a row is told apart by its keys (RowKeys.Identity), which is all
-- its decision depends on, and the export finds its decision by them. A
-- quarantined row's columns ride along as one value, so that its
-- quarantine does not read the table a third time.
{{- $from = print "(SELECT src.*, src AS _optout_src FROM " $from " src)" }}
SELECT _file, {{ .Keys.Identity }} AS _row, {{ .Keys.Columns }}
  {{ .Keys.Checks }}
  IF({{ .Keys.None }}, _optout_src, NULL) AS _quarantined,
{{- else }}
SELECT _file, _row, {{ .Keys.Columns }}
  {{ .Keys.Checks }}
{{- end }}
  {{ rowReason .Keys.None "no_valid_key" }} AS reason
FROM {{ .Keys.From $from }}
