{{ define "quarantined_rows" -}}
-- The rows of input {{ .Src.Name }} that quarantine__{{ .Src.Name }} writes, and
-- why (SPEC §9){{ if .HasLater }}: not the rows after the as-of instant, which
-- a run for D does not read{{ end }}.
SELECT _file, _row, reason FROM {{ template "rows_as_of" . }} q
WHERE reason IS NOT NULL{{ if .HasLater }} AND NOT later{{ end }}
{{- end }}
