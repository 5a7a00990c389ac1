-- Times are UTC. The run: D = 2026-11-21, now = 2026-11-22 09:00 UTC.
-- r1: 1970-01-01 00:00 UTC is 1969-12-31 in Los Angeles, before the calendar.
-- r2: 1999-06-01, before the calendar, pending: counted, not processed, no status.
-- r3 Mon 2 Nov 2026 (as r1 of case 60_ledger_sla): deadline Tue 24 Nov; met; 14 business days.
SELECT * FROM (VALUES
  ('r1'::VARCHAR, '1970-01-01 00:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'a@example.com'::VARCHAR),
  ('r2'::VARCHAR, '1999-06-01 18:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'pending'::VARCHAR, 'b@example.com'::VARCHAR),
  ('r3'::VARCHAR, '2026-11-02 18:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 'verified'::VARCHAR, 'c@example.com'::VARCHAR)
) t(request_id, received_at, request_type, status, email)
