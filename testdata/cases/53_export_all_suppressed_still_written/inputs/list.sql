-- 1 row(s)
SELECT * FROM (VALUES
  ('alice@example.com'::VARCHAR, 'x'::VARCHAR)
) t(email, note)
