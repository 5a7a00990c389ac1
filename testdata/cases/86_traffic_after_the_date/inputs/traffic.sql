SELECT * FROM (VALUES
  ('2026-11-05'::DATE, 'paid'::VARCHAR, 100::BIGINT),
  ('2026-11-06'::DATE, 'paid'::VARCHAR, -5::BIGINT),
  ('2026-11-25'::DATE, 'paid'::VARCHAR, 900::BIGINT),
  ('2026-11-30'::DATE, 'paid'::VARCHAR, -1::BIGINT),
  ('2026-12-03'::DATE, 'organic'::VARCHAR, 50::BIGINT)
) t(date, traffic_source, visitors)
