-- 4 row(s)
SELECT * FROM (VALUES
  ('ann@example.com'::VARCHAR, '415-555-0101'::VARCHAR, 'a'::VARCHAR),
  ('ann@example.com'::VARCHAR, NULL::VARCHAR, 'b'::VARCHAR),
  ('gus@example.com'::VARCHAR, '212-555-0102'::VARCHAR, 'c'::VARCHAR),
  ('eve@example.com'::VARCHAR, NULL::VARCHAR, 'd'::VARCHAR)
) t(email, phone, segment)
