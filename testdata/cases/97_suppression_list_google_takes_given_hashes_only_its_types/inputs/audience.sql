-- 2 row(s)
SELECT * FROM (VALUES
  ('carol@example.com'::VARCHAR, NULL::VARCHAR, 'a'::VARCHAR),
  ('zed@example.com'::VARCHAR, NULL::VARCHAR, 'b'::VARCHAR)
) t(email, phone, segment)
