-- 2 row(s)
SELECT * FROM (VALUES
  (NULL::VARCHAR, '415 555 0101'::VARCHAR, 'a'::VARCHAR),
  (NULL::VARCHAR, '+1 212 555 0102'::VARCHAR, 'b'::VARCHAR)
) t(email, phone, segment)
