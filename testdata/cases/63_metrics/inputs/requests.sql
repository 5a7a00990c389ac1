SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-09-15 17:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, NULL::VARCHAR[], 'verified'::VARCHAR, 'web'::VARCHAR, 'paid'::VARCHAR, 'CA'::VARCHAR, 'a@example.com'::VARCHAR),
  ('r2'::VARCHAR, '2026-10-01 17:00:00'::TIMESTAMP, 'opt_in'::VARCHAR, ['advertising']::VARCHAR[], 'verified'::VARCHAR, 'web'::VARCHAR, 'paid'::VARCHAR, 'CA'::VARCHAR, 'a@example.com'::VARCHAR),
  ('r3'::VARCHAR, '2026-10-05 17:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, ['analytics']::VARCHAR[], 'rejected'::VARCHAR, 'PC'::VARCHAR, 'email'::VARCHAR, 'NY'::VARCHAR, 'b@example.com'::VARCHAR),
  ('r4'::VARCHAR, '2026-10-20 17:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, ['advertising', 'analytics']::VARCHAR[], 'verified'::VARCHAR, 'pc'::VARCHAR, 'email'::VARCHAR, 'NY'::VARCHAR, 'b@example.com'::VARCHAR),
  ('r5'::VARCHAR, '2025-10-01 17:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, NULL::VARCHAR[], 'verified'::VARCHAR, 'web'::VARCHAR, 'paid'::VARCHAR, 'TX'::VARCHAR, 'c@example.com'::VARCHAR),
  ('r6'::VARCHAR, '2026-11-16 17:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, NULL::VARCHAR[], 'pending'::VARCHAR, 'web'::VARCHAR, 'paid'::VARCHAR, 'CA'::VARCHAR, 'd@example.com'::VARCHAR),
  ('r7'::VARCHAR, '2026-11-10 18:00:00'::TIMESTAMP, 'opt_in'::VARCHAR, NULL::VARCHAR[], 'verified'::VARCHAR, 'web'::VARCHAR, 'paid'::VARCHAR, 'CA'::VARCHAR, 'c@example.com'::VARCHAR)
) t(request_id, received_at, request_type, categories, status, source, traffic_source, state, email)
