-- 2 row(s)
SELECT * FROM (VALUES
  ('z-in'::VARCHAR, '2026-05-01 10:00:00'::TIMESTAMP, 'opt_in'::VARCHAR, ['advertising']::VARCHAR[], 'verified'::VARCHAR, 'alice@example.com'::VARCHAR),
  ('a-out'::VARCHAR, '2026-05-01 10:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, ['advertising']::VARCHAR[], 'verified'::VARCHAR, 'alice@example.com'::VARCHAR)
) t(request_id, received_at, request_type, categories, status, email)
