-- Open requests over all months, from the ledger as its latest run left
-- it, as the list of open requests is: the tile counts what the list
-- shows (processing_time counts them as of D, and a run made days after
-- D, or a later date's run, found more of them past their deadline: the
-- tile said 0 past the deadline above requests listed as overdue). This
-- run's third-party notifications, one per request and export however
-- many of its dates the person was in (none when D published none), and
-- the opt-ins within 12 months of an opt-out.
SELECT
  (SELECT count(*) FROM {{ rel "requests_ledger" }} WHERE sla_status IN ('open', 'open_breached')) AS open,
  (SELECT count(*) FROM {{ rel "requests_ledger" }} WHERE sla_status = 'open_breached') AS open_past_deadline,
  (SELECT count(*) FROM {{ rel "metrics_reauthorizations" }}) AS reauthorizations,
  {{ if .Notices }}(SELECT count(*) FROM (SELECT DISTINCT request_id, export FROM {{ rel "third_party_notifications" }}) n){{ else }}CAST(0 AS INT64){{ end }} AS notices
