{{ define "export_rows" -}}
-- Every row of export {{ .Src.Name }} with the keys of its mapped identifier
-- columns; a row with no valid key cannot be checked and is quarantined.
SELECT _file, _row, {{ .Keys }} AS keys, {{ .Invalid }} AS invalid_identifiers,
  CASE WHEN {{ listLen .Keys }} = 0 THEN 'no_valid_key' END AS reason
FROM {{ rel .Src.View }}
{{- end }}
