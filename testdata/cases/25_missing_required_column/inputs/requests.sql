-- 1 row(s)
SELECT * FROM (VALUES
  ('r1'::VARCHAR, 'opt_out'::VARCHAR, 'alice@example.com'::VARCHAR)
) t(request_id, request_type, email)
