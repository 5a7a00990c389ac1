-- Times are UTC.
SELECT * FROM (VALUES
  ('rV'::VARCHAR, '2024-11-20 18:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'a@example.com'::VARCHAR),
  ('rP'::VARCHAR, '2024-11-20 18:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'pending'::VARCHAR, 'b@example.com'::VARCHAR),
  ('rN'::VARCHAR, '2026-11-10 18:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'c@example.com'::VARCHAR)
) t(request_id, received_at, request_type, status, email)
