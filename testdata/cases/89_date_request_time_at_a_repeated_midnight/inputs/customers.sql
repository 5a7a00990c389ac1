-- email and phone are required columns of customers (NULL here)
SELECT 'C' || i AS customer_id, chr(CAST(96 + i AS INTEGER)) || '@example.com' AS email, NULL::VARCHAR AS phone
FROM range(1, 3) t(i)
