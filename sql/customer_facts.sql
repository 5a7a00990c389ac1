-- What the later steps need of customer_rows, kept small so that
-- customer_rows can be dropped before the exports' rows are read: the
-- state of every customer a request reaches (the ledger's SLA), and which
-- customers of the previous run's state (or of the feed standing in for
-- it, flag_changes.sql) are still in the input (their flag changes).
SELECT customer_id{{ if .StateSLA }}, state{{ end }}
FROM {{ tmp "customer_rows" }}
WHERE reason IS NULL
  AND (customer_id IN (SELECT customer_id FROM {{ tmp "customer_keys" }})
{{- if .HasPrevState }}
    OR customer_id IN (SELECT CAST(customer_id AS STRING) FROM {{ rel "prev_optout_state" }})
{{- else if .HasPrevFeed }}
    OR customer_id IN (SELECT CAST(customer_id AS STRING) FROM {{ rel "prev_flag_changes" }})
{{- end }})
