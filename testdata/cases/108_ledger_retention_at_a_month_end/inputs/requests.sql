-- Times are UTC.
SELECT * FROM (VALUES
  ('rZ'::VARCHAR, '2024-02-27 12:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'c@example.com'::VARCHAR),
  ('rX'::VARCHAR, '2024-03-01 12:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'a@example.com'::VARCHAR),
  ('rY'::VARCHAR, '2024-03-02 20:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'b@example.com'::VARCHAR)
) t(request_id, received_at, request_type, status, email)
