SELECT * FROM (VALUES
  ('r1', TIMESTAMP '2026-11-10 10:00:00', 'opt_out', 'a@example.com', 'moving house'),
  ('r2', TIMESTAMP '2026-11-11 10:00:00', 'opt_out', 'not-an-email', 'mine')
) t(request_id, received_at, request_type, email, reason)
