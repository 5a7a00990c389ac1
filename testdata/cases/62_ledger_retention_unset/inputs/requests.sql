-- D = 2026-11-21 in Los Angeles: the as-of instant is 2026-11-22 08:00 UTC; 24 months before it
-- is 2024-11-22 08:00 UTC. r_old is one minute older than that, r_young exactly that old.
SELECT * FROM (VALUES
  ('r_old'::VARCHAR, '2024-11-22 07:59:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'a@example.com'::VARCHAR),
  ('r_young'::VARCHAR, '2024-11-22 08:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'b@example.com'::VARCHAR)
) t(request_id, received_at, request_type, status, email)
