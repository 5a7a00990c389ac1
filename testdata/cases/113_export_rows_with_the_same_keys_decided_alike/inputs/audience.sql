-- 6 row(s)
SELECT * FROM (VALUES
  ('alice@example.com'::VARCHAR, NULL::VARCHAR, 'a1'::VARCHAR),
  ('bob@example.com'::VARCHAR, NULL::VARCHAR, 'b1'::VARCHAR),
  ('not-an-email'::VARCHAR, '12'::VARCHAR, 'q'::VARCHAR),
  (' BOB@Example.com'::VARCHAR, NULL::VARCHAR, 'b2'::VARCHAR),
  ('carol@example.com'::VARCHAR, '212-555-0199'::VARCHAR, 'c'::VARCHAR),
  ('Alice@Example.COM'::VARCHAR, NULL::VARCHAR, 'a2'::VARCHAR)
) t(email, phone, segment)
