-- 4 row(s)
SELECT * FROM (VALUES
  ('alice@example.com'::VARCHAR, NULL::VARCHAR, 'a'::VARCHAR),
  ('dan@example.com'::VARCHAR, NULL::VARCHAR, 'b'::VARCHAR),
  ('erin@example.com'::VARCHAR, NULL::VARCHAR, 'c'::VARCHAR),
  ('bob@example.com'::VARCHAR, NULL::VARCHAR, 'd'::VARCHAR)
) t(email, phone, segment)
