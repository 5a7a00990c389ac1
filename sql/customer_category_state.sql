WITH events AS (
  SELECT m.customer_id AS subject, rc.request_id, rc.request_type, rc.received_at, rc.category, rc.ord
  FROM {{ tmp "customer_matches" }} m
  JOIN {{ tmp "request_categories" }} rc USING (request_id)
)
{{ template "category_states" . }}
SELECT * FROM states
