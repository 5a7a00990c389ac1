-- 4 row(s)
SELECT * FROM (VALUES
  ('C1'::VARCHAR, NULL::VARCHAR),
  ('C2'::VARCHAR, NULL::VARCHAR),
  ('C3'::VARCHAR, NULL::VARCHAR),
  (NULL::VARCHAR, 'erin@example.com'::VARCHAR)
) t(id, email)
