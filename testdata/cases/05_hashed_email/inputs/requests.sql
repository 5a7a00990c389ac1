-- 2 row(s)
SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-11-20 10:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, ['advertising']::VARCHAR[], 'verified'::VARCHAR, ' FF8D9819FC0E12BF0D24892E45987E249A28DCE836A85CAD60E28EAAA8C6D976 '::VARCHAR),
  ('r2'::VARCHAR, '2026-11-20 11:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, ['advertising']::VARCHAR[], 'verified'::VARCHAR, '71a9132dc7e55a67ab4d189fd85210e2b5f7c4d1e5a43b257772c6b7c942dd3a'::VARCHAR)
) t(request_id, received_at, request_type, categories, status, email_sha256)
