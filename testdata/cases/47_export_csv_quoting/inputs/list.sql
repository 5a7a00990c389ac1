-- 2 row(s)
SELECT * FROM (VALUES
  ('bob@example.com'::VARCHAR, 'a, "quoted"
second line'::VARCHAR),
  ('alice@example.com'::VARCHAR, 'x'::VARCHAR)
) t(email, note)
