SELECT * FROM {{ tmp "explain_keys" }} ORDER BY kind, value
