-- 1 row(s)
SELECT * FROM (VALUES
  ('C2'::VARCHAR, 'ck-b2'::VARCHAR)
) t(customer_id, cookie_id)
