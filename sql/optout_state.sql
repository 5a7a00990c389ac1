-- One row per customer with a counted request (SPEC §6).
SELECT customer_id, ccpa_opt_out, opt_out_date, opt_out_categories, deciding_request_ids
FROM {{ tmp "customer_state" }}
