-- UTC times: pending on 2 Nov, verified on 10 Nov.
SELECT * FROM (VALUES
  ('r1'::VARCHAR, '2026-11-02 18:00:00'::TIMESTAMP, '2026-11-02 18:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'pending'::VARCHAR, 'a@example.com'::VARCHAR),
  ('r1', '2026-11-02 18:00:00', '2026-11-10 18:00:00', 'opt_out', 'verified', 'a@example.com')
) t(request_id, received_at, updated_at, request_type, status, email)
