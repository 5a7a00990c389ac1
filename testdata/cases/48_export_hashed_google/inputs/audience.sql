-- 2 row(s)
SELECT * FROM (VALUES
  (' J.Doe+x@GMAIL.com '::VARCHAR, '(212) 555-0102'::VARCHAR, 'a'::VARCHAR),
  ('alice@example.com'::VARCHAR, NULL::VARCHAR, 'b'::VARCHAR)
) t(email, phone, segment)
