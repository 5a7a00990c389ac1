SELECT 'C1' AS customer_id, 'z@example.com' AS email, NULL::VARCHAR AS phone
