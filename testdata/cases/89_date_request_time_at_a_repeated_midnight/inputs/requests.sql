SELECT * FROM (VALUES
  ('r1', DATE '2026-11-01', 'opt_out', 'a@example.com')
) t(request_id, received_at, request_type, email)
