SELECT * FROM {{ tmp "explain_request" }}
