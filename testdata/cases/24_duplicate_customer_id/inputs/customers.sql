-- 2 row(s)
SELECT * FROM (VALUES
  ('C1'::VARCHAR, 'alice@example.com'::VARCHAR),
  (' C1 '::VARCHAR, 'other@example.com'::VARCHAR)
) t(customer_id, email)
