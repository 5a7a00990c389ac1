-- 2 row(s)
SELECT * FROM (VALUES
  ('C1'::VARCHAR, 'shared@example.com'::VARCHAR, NULL::VARCHAR),
  ('C2'::VARCHAR, 'shared@example.com'::VARCHAR, '212-555-0102'::VARCHAR)
) t(customer_id, email, phone)
