-- 2 row(s)
SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-11-22 07:30:00'::TIMESTAMP, 'opt_out'::VARCHAR, ['advertising']::VARCHAR[], 'verified'::VARCHAR, 'alice@example.com'::VARCHAR),
  ('r2'::VARCHAR, '2026-11-22 08:30:00'::TIMESTAMP, 'opt_out'::VARCHAR, ['advertising']::VARCHAR[], 'verified'::VARCHAR, 'bob@example.com'::VARCHAR)
) t(request_id, received_at, request_type, categories, status, email)
