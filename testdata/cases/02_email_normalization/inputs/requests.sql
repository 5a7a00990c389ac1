-- 2 row(s)
SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-11-20 10:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, ['advertising']::VARCHAR[], 'verified'::VARCHAR, '  ALICE@Example.COM '::VARCHAR),
  ('r2'::VARCHAR, '2026-11-20 11:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, ['advertising']::VARCHAR[], 'verified'::VARCHAR, 'mailto:BOB@example.com'::VARCHAR)
) t(request_id, received_at, request_type, categories, status, email)
