-- 1 row(s)
SELECT * FROM (VALUES
  ('C1'::VARCHAR, 'Alice.Work@example.com'::VARCHAR)
) t(customer_id, email)
