-- 1 row(s)
SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-11-20 10:00:00'::TIMESTAMP, NULL::VARCHAR, NULL::VARCHAR[], NULL::VARCHAR, true, 'alice@example.com'::VARCHAR)
) t(request_id, received_at, request_type, categories, source, gpc, email)
