-- UTC times: the rows written at 22:00 on 21 Nov come after the provisional run's now (20:00).
SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-11-20 18:00:00'::TIMESTAMP, '2026-11-20 18:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'a@example.com'::VARCHAR),
  ('r1', '2026-11-20 18:00:00', '2026-11-21 22:00:00', 'opt_out', 'rejected', 'a@example.com'),
  ('r2', '2026-11-20 18:00:00', '2026-11-20 18:00:00', 'opt_out', 'verified', 'b@example.com'),
  ('r3', '2026-11-20 19:00:00', '2026-11-21 22:00:00', 'opt_in', 'verified', 'b@example.com')
) t(request_id, received_at, updated_at, request_type, status, email)
