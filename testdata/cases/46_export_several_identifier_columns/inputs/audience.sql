-- 2 row(s)
SELECT * FROM (VALUES
  ('erin@example.com'::VARCHAR, '(415) 555-0101'::VARCHAR, 'a'::VARCHAR),
  ('erin@example.com'::VARCHAR, '212-555-0102'::VARCHAR, 'b'::VARCHAR)
) t(email, phone, segment)
