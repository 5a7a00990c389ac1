SELECT * FROM {{ tmp "explain_requests" }} ORDER BY received_at, request_id
