-- 2 row(s)
SELECT * FROM (VALUES
  ('rA'::VARCHAR, '2024-11-10 12:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, ['advertising']::VARCHAR[], 'verified'::VARCHAR, 'alice@example.com'::VARCHAR),
  ('rB'::VARCHAR, '2026-10-20 12:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, ['advertising']::VARCHAR[], 'verified'::VARCHAR, 'bob@example.com'::VARCHAR)
) t(request_id, received_at, request_type, categories, status, email)
