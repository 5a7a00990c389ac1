-- UTC times.
SELECT * FROM (VALUES
  ('a_out'::VARCHAR, '2025-03-09 07:30:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'a@example.com'::VARCHAR),
  ('a_in', '2026-03-09 07:00:00', 'opt_in', 'verified', 'a@example.com'),
  ('b_out', '2023-03-01 04:00:00', 'opt_out', 'verified', 'b@example.com'),
  ('b_in', '2024-02-29 18:00:00', 'opt_in', 'verified', 'b@example.com'),
  ('c_out', '2025-06-01 19:00:00', 'opt_out', 'verified', 'c@example.com'),
  ('c_in', '2026-06-01 18:00:00', 'opt_in', 'verified', 'c@example.com'),
  ('d_out', '2025-07-10 17:00:00', 'opt_out', 'verified', 'd@example.com'),
  ('d_in', '2026-07-10 17:00:00', 'opt_in', 'verified', 'd@example.com')
) t(request_id, received_at, request_type, status, email)
