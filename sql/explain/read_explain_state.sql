SELECT * FROM {{ tmp "explain_state" }} ORDER BY category
