-- Each opt_in of a customer within 12 months after that customer's latest
-- earlier opt_out (a business may not ask again within 12 months). The
-- latest opt_out is found by two aggregations rather than a window: its
-- time, then the greatest request_id at that time (the tie-break).
WITH events AS (
  SELECT m.customer_id, r.request_id, r.request_type, r.received_at
  FROM {{ tmp "customer_matches" }} m JOIN {{ template "counted_requests" }} r USING (request_id)
),
latest AS (
  SELECT i.customer_id, i.request_id AS opt_in_request_id, i.received_at AS opt_in_at,
    max(o.received_at) AS opt_out_at
  FROM events i JOIN events o ON o.customer_id = i.customer_id
  WHERE i.request_type = 'opt_in' AND o.request_type = 'opt_out' AND o.received_at < i.received_at
  GROUP BY i.customer_id, i.request_id, i.received_at
),
pairs AS (
  SELECT l.customer_id, max(o.request_id) AS opt_out_request_id, l.opt_out_at,
    l.opt_in_request_id, l.opt_in_at
  FROM latest l JOIN events o ON o.customer_id = l.customer_id
    AND o.request_type = 'opt_out' AND o.received_at = l.opt_out_at
  GROUP BY l.customer_id, l.opt_out_at, l.opt_in_request_id, l.opt_in_at
)
SELECT {{ month "opt_in_at" (param .P.TimeZone) }} AS month, customer_id,
  opt_out_request_id, opt_out_at, opt_in_request_id, opt_in_at,
  {{ daysBetween (civilDate "opt_out_at" (param .P.TimeZone)) (civilDate "opt_in_at" (param .P.TimeZone)) }} AS days_after_opt_out
FROM pairs
-- The 12 months on the calendar of the time zone, as every month here.
WHERE {{ civilTime "opt_in_at" (param .P.TimeZone) }} <= {{ addMonths (civilTime "opt_out_at" (param .P.TimeZone)) 12 }}
ORDER BY opt_in_at, customer_id
