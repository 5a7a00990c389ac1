SELECT * FROM (VALUES
  ('2026-10-03'::DATE, 'paid'::VARCHAR, 1000::BIGINT),
  ('2026-10-20'::DATE, 'paid'::VARCHAR, 1000::BIGINT),
  ('2026-10-10'::DATE, 'email'::VARCHAR, 500::BIGINT),
  ('2026-11-01'::DATE, 'paid'::VARCHAR, 4000::BIGINT)
) t(date, traffic_source, visitors)
