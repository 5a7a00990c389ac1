SELECT * FROM (VALUES
  (501::BIGINT, '2026-11-20 10:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 4155550100::BIGINT),
  (502::BIGINT, '2026-11-19 09:00:00'::TIMESTAMP, 'opt_out'::VARCHAR, 2125550100::BIGINT)
) t(request_id, received_at, request_type, phone)
