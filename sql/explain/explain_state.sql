-- The state per category, as customer_category_state decides it, and since
-- when and through which request it holds (the verdict's words): an
-- opt-out since its opt_out_date, through the first opt_out of the
-- category at that instant in rule 2's order (the least request_id); an
-- opt-in since its deciding request.
WITH events AS (
  {{ template "explain_events" . }}
)
{{ template "category_states" . }}
SELECT s.subject, s.category, s.state, s.deciding_request_id, s.opt_out_date,
  CASE WHEN s.state = 'opt_out' THEN s.opt_out_date
       ELSE (SELECT min(d.received_at) FROM events d WHERE d.category = s.category AND d.request_id = s.deciding_request_id) END AS since,
  CASE WHEN s.state = 'opt_out'
       THEN (SELECT min(e.request_id) FROM events e WHERE e.category = s.category AND e.request_type = 'opt_out' AND e.received_at = s.opt_out_date)
       ELSE s.deciding_request_id END AS since_request_id
FROM states s
