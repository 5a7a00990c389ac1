SELECT * FROM (VALUES
  ('rA', TIMESTAMP '2024-12-10 12:00:00', 'opt_out', 'alice@example.com'),
  ('rB', TIMESTAMP '2026-10-01 12:00:00', 'opt_in',  'alice@example.com'),
  ('rC', TIMESTAMP '2026-11-02 12:00:00', 'opt_out', 'bob@example.com')
) t(request_id, received_at, request_type, email)
