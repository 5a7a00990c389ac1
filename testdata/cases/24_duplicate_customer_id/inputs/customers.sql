-- email and phone are required columns of customers (NULL here)
SELECT *, NULL::VARCHAR AS phone FROM (
-- 2 row(s)
SELECT * FROM (VALUES
  ('C1'::VARCHAR, 'alice@example.com'::VARCHAR),
  (' C1 '::VARCHAR, 'other@example.com'::VARCHAR)
) t(customer_id, email)
)
