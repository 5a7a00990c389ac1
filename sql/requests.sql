-- The counted requests as of D.
SELECT request_id, received_at, request_type, categories, status, source, traffic_source, state, keys
FROM {{ tmp "current_requests" }} WHERE counted
