-- 1 row(s)
SELECT * FROM (VALUES
  ('alice@example.com'::VARCHAR, '212-555-0102'::VARCHAR, 'a'::VARCHAR)
) t(email, phone, segment)
