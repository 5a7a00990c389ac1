-- 2 row(s)
SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-11-20 10:00:00'::TIMESTAMP, 'opt_in'::VARCHAR, ['analytics']::VARCHAR[], 'web_form'::VARCHAR, true, 'alice@example.com'::VARCHAR),
  ('r2'::VARCHAR, '2026-11-20 11:00:00'::TIMESTAMP, NULL::VARCHAR, NULL::VARCHAR[], ' GPC '::VARCHAR, NULL::BOOLEAN, 'bob@example.com'::VARCHAR)
) t(request_id, received_at, request_type, categories, source, gpc, email)
