-- 2 row(s)
SELECT * FROM (VALUES
  ('ck-b2'::VARCHAR),
  ('ck-zz'::VARCHAR)
) t(cookie)
