SELECT * FROM {{ tmp "explain_customers" }} ORDER BY customer_id
