-- Open requests over all months (processing_time), this run's third-party
-- notices (none when D published none), and the opt-ins within 12 months
-- of an opt-out.
SELECT
  (SELECT sum(open) + sum(open_past_deadline) FROM {{ rel "metrics_processing_time" }}) AS open,
  (SELECT sum(open_past_deadline) FROM {{ rel "metrics_processing_time" }}) AS open_past_deadline,
  (SELECT count(*) FROM {{ rel "metrics_reauthorizations" }}) AS reauthorizations,
  {{ if .Notices }}(SELECT count(*) FROM {{ rel "third_party_notifications" }}){{ else }}CAST(0 AS INT64){{ end }} AS notices
