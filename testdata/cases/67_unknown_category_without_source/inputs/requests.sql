SELECT * FROM (VALUES
  ('u1'::VARCHAR, '2026-11-20 10:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, ['sports']::VARCHAR[], NULL::VARCHAR, 'a@example.com'::VARCHAR),
  ('u2', '2026-11-20 10:00:00', 'opt_out', ['advertising'], NULL, 'b@example.com')
) t(request_id, received_at, request_type, categories, source, email)
