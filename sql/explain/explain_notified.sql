-- The third parties told of the request (SPEC §6
-- third_party_notifications), as published by the runs of every date: each
-- row's export date, and the date of the run that first enforced the
-- request (its dt, the partition column; the export's own date is
-- export_dt there, as on BigQuery).
{{- if .Notifications }}
SELECT request_id, export, destination, CAST(export_dt AS STRING) AS export_dt, CAST(dt AS STRING) AS notified_by_run_for
FROM {{ rel .Notifications }}
WHERE request_id = optout_id(CAST({{ param .Subject }} AS STRING))
{{- else }}
SELECT * FROM (SELECT CAST(NULL AS STRING) AS request_id, CAST(NULL AS STRING) AS export, CAST(NULL AS STRING) AS destination,
  CAST(NULL AS STRING) AS export_dt, CAST(NULL AS STRING) AS notified_by_run_for) AS _none WHERE false
{{- end }}
