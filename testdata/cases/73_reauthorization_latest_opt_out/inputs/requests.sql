SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-01-10 17:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'a@example.com'::VARCHAR),
  ('r2'::VARCHAR, '2026-03-01 17:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'a@example.com'::VARCHAR),
  ('r3'::VARCHAR, '2026-03-01 17:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'a@example.com'::VARCHAR),
  ('r4'::VARCHAR, '2026-06-01 17:00:00'::TIMESTAMP, 'opt_in'::VARCHAR, 'verified'::VARCHAR, 'a@example.com'::VARCHAR),
  ('r5'::VARCHAR, '2026-08-01 17:00:00'::TIMESTAMP, 'opt_in'::VARCHAR, 'verified'::VARCHAR, 'a@example.com'::VARCHAR),
  ('r6'::VARCHAR, '2025-01-01 17:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'b@example.com'::VARCHAR),
  ('r7'::VARCHAR, '2026-02-02 17:00:00'::TIMESTAMP, 'opt_in'::VARCHAR, 'verified'::VARCHAR, 'b@example.com'::VARCHAR),
  ('r8'::VARCHAR, '2026-06-01 17:00:00'::TIMESTAMP, 'opt_in'::VARCHAR, 'verified'::VARCHAR, 'c@example.com'::VARCHAR),
  ('r9'::VARCHAR, '2026-06-02 17:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'c@example.com'::VARCHAR)
) t(request_id, received_at, request_type, status, email)
