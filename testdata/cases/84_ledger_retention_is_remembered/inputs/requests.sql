-- UTC times; rD: a pending row, then a verified row updated on 2026-11-21.
SELECT * FROM (VALUES
  ('rA'::VARCHAR, '2024-11-10 18:00:00'::TIMESTAMP, '2024-11-10 18:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, NULL::VARCHAR[], 'verified'::VARCHAR, 'a@example.com'::VARCHAR),
  ('rC', '2025-06-01 18:00:00', '2025-06-01 18:00:00', 'opt_in', NULL, 'verified', 'a@example.com'),
  ('rD', '2024-11-12 18:00:00', '2024-11-12 18:00:00', 'opt_out', NULL, 'pending', 'd@example.com'),
  ('rD', '2024-11-12 18:00:00', '2026-11-21 18:00:00', 'opt_out', NULL, 'verified', 'd@example.com'),
  ('rB', '2026-10-20 18:00:00', '2026-10-20 18:00:00', 'opt_out', NULL, 'verified', 'b@example.com')
) t(request_id, received_at, updated_at, request_type, categories, status, email)
