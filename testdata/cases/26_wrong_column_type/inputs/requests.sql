-- 1 row(s)
SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-11-20'::VARCHAR, 'opt_out'::VARCHAR, 'alice@example.com'::VARCHAR)
) t(request_id, received_at, request_type, email)
