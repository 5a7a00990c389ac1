SELECT * FROM (VALUES
  ('r1', DATE '2026-11-01', 'opt_out', 'a@example.com'),
  ('r2', DATE '2026-11-21', 'opt_out', 'b@example.com'),
  ('r3', DATE '2026-11-22', 'opt_in',  'a@example.com'),
  ('r4', DATE '2026-11-22', 'opt_out', 'c@example.com')
) t(request_id, received_at, request_type, email)
