SELECT count(*) AS removed FROM {{ tmp "ledger" }}
{{- if .P.RetentionCutoff }}
WHERE received_at < {{ cast (param .P.RetentionCutoff) "timestamp" }}
{{- else }}
WHERE false
{{- end }}
