SELECT * FROM (VALUES
  ('r2', TIMESTAMP '2026-11-01 04:30:00', 'opt_in', 'a@example.com')
) t(request_id, received_at, request_type, email)
