-- email and phone are required columns of customers (NULL here)
SELECT *, NULL::VARCHAR AS phone FROM (
SELECT 'C' || i AS customer_id, chr(CAST(96 + i AS INTEGER)) || '@example.com' AS email FROM range(1, 4) t(i)
)
