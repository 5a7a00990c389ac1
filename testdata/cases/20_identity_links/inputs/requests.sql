-- 3 row(s)
SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-11-20 10:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, ['advertising']::VARCHAR[], 'verified'::VARCHAR, 'ck-b2'::VARCHAR, NULL::VARCHAR),
  ('r2'::VARCHAR, '2026-11-20 11:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, ['analytics']::VARCHAR[], 'verified'::VARCHAR, NULL::VARCHAR, 'BOB.WORK@example.com'::VARCHAR),
  ('r3'::VARCHAR, '2026-11-20 12:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, NULL::VARCHAR[], 'verified'::VARCHAR, 'ck-9'::VARCHAR, NULL::VARCHAR)
) t(request_id, received_at, request_type, categories, status, cookie_id, email)
