-- Requests received per month and source, whatever their status.
SELECT {{ dateMonth "received_day" }} AS month,
  coalesce(source, 'unknown') AS source,
  count(*) AS requests,
  {{ countIf "request_type = 'opt_out'" }} AS opt_outs,
  {{ countIf "request_type = 'opt_in'" }} AS opt_ins
FROM {{ tmp "current_requests" }}
GROUP BY 1, 2
ORDER BY month, source
