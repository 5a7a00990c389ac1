-- 3 row(s)
SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-11-01 10:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, ['advertising']::VARCHAR[], 'verified'::VARCHAR, 'alice@example.com'::VARCHAR),
  ('r2'::VARCHAR, '2026-11-13 10:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, ['advertising']::VARCHAR[], 'verified'::VARCHAR, 'bob@example.com'::VARCHAR),
  ('r3'::VARCHAR, '2026-11-20 10:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, ['advertising']::VARCHAR[], 'verified'::VARCHAR, 'j.doe@gmail.com'::VARCHAR)
) t(request_id, received_at, request_type, categories, status, email)
