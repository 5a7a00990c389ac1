SELECT 'C1' AS customer_id, 'a@example.com' AS email, NULL::VARCHAR AS phone
