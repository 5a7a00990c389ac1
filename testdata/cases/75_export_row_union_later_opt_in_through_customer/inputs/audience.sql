-- 5 row(s)
SELECT * FROM (VALUES
  ('ann@example.com'::VARCHAR, '415-555-0101'::VARCHAR, 'a'::VARCHAR),
  ('ann@example.com'::VARCHAR, NULL::VARCHAR, 'b'::VARCHAR),
  (NULL::VARCHAR, '(415) 555-0101'::VARCHAR, 'c'::VARCHAR),
  ('ann@example.com'::VARCHAR, '212-555-0102'::VARCHAR, 'd'::VARCHAR),
  ('eve@example.com'::VARCHAR, NULL::VARCHAR, 'e'::VARCHAR)
) t(email, phone, segment)
