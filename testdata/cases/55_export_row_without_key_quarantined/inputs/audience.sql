-- 2 row(s)
SELECT * FROM (VALUES
  ('not-an-email'::VARCHAR, '12'::VARCHAR, 'a'::VARCHAR),
  ('bob@example.com'::VARCHAR, NULL::VARCHAR, 'b'::VARCHAR)
) t(email, phone, segment)
