-- 3 row(s)
SELECT * FROM (VALUES
  ('alice@example.com'::VARCHAR, NULL::VARCHAR, 'a'::VARCHAR),
  ('bob@example.com'::VARCHAR, NULL::VARCHAR, 'b'::VARCHAR),
  (NULL::VARCHAR, '+1 415 555 0101'::VARCHAR, 'c'::VARCHAR)
) t(email, phone, segment)
