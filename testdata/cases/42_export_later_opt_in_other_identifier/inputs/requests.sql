-- 2 row(s)
SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-01-10 10:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, NULL::VARCHAR[], 'verified'::VARCHAR, 'alice@example.com'::VARCHAR, NULL::VARCHAR),
  ('r2'::VARCHAR, '2026-03-01 10:00:00'::TIMESTAMP, 'opt_in'::VARCHAR, NULL::VARCHAR[], 'verified'::VARCHAR, NULL::VARCHAR, '4155550101'::VARCHAR)
) t(request_id, received_at, request_type, categories, status, email, phone)
