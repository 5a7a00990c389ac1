SELECT * FROM {{ tmp "explain_uncounted" }} ORDER BY received_at NULLS LAST, request_id NULLS LAST
