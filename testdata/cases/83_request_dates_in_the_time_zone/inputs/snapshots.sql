SELECT * FROM (VALUES
  (301, 'd@example.com', true,  DATE '2026-11-10'),
  (301, 'd@example.com', false, DATE '2026-11-22')
) t(PKey, email, ccpaOptOut, snapshot_at)
