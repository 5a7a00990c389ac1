-- email and phone are required columns of customers (NULL here)
SELECT *, NULL::VARCHAR AS email, NULL::VARCHAR AS phone FROM (
SELECT * FROM (VALUES ('C1', 'ck-1'), ('C3', 'ck-3'), ('C4', 'ck-4'), ('C5', 'ck-5')) t(customer_id, cookie_id)
)
