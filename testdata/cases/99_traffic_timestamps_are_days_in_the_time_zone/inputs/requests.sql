SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-11-10 18:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'paid'::VARCHAR, 'a@example.com'::VARCHAR)
) t(request_id, received_at, request_type, status, traffic_source, email)
