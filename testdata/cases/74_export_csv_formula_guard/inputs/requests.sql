-- r1: a pending row, then the verified row a day later (UTC times).
SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-11-20 18:00:00'::TIMESTAMP, '2026-11-20 18:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'pending'::VARCHAR, 'C1'::VARCHAR),
  ('r1', '2026-11-20 18:00:00', '2026-11-21 18:00:00', 'opt_out', 'verified', 'C1')
) t(request_id, received_at, updated_at, request_type, status, customer_id)
