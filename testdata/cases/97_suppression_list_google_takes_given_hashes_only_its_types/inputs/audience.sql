-- 2 row(s)
SELECT * FROM (VALUES
  ('carol@example.com'::VARCHAR, NULL::VARCHAR, 'a'::VARCHAR, 'C1'::VARCHAR),
  ('zed@example.com'::VARCHAR, NULL::VARCHAR, 'b'::VARCHAR, 'C2'::VARCHAR)
) t(email, phone, segment, crm_id)
