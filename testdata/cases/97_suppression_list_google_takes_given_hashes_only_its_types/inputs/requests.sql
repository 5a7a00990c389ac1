-- 3 row(s)
SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-11-20 10:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, ['advertising']::VARCHAR[], 'verified'::VARCHAR, '395EC5F334BE0AB5B28568A1E7F6ED5EA80E443FB1CE3D803340586A3DF46642'::VARCHAR, NULL::VARCHAR, NULL::VARCHAR),
  ('r2'::VARCHAR, '2026-11-20 11:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, ['advertising']::VARCHAR[], 'verified'::VARCHAR, NULL::VARCHAR, 'e8d4612843461999eefd96a316ed1b97a142e152473aebfe6cb220d6f484b109'::VARCHAR, NULL::VARCHAR),
  ('r3'::VARCHAR, '2026-11-20 12:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, ['advertising']::VARCHAR[], 'verified'::VARCHAR, NULL::VARCHAR, NULL::VARCHAR, 'C1'::VARCHAR)
) t(request_id, received_at, request_type, categories, status, email_sha256, phone_sha256, customer_id)
