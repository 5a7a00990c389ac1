-- 1 row(s)
SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-11-01 10:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, NULL::VARCHAR[], 'verified'::VARCHAR, 'alice@example.com'::VARCHAR)
) t(request_id, received_at, request_type, categories, status, email)
