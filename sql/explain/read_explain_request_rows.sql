SELECT * FROM {{ tmp "explain_request_rows" }} ORDER BY updated_at NULLS LAST, received_at NULLS LAST, input, file, {{ ident "row" }}
