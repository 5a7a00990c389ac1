-- email and phone are required columns of customers (NULL here)
SELECT *, NULL::VARCHAR AS email FROM (
SELECT * FROM (VALUES
  (1001::BIGINT, '(415) 555-0100'::VARCHAR),
  (1002::BIGINT, '+1 646 555 0100'::VARCHAR),
  (1003::BIGINT, '212.555.0100'::VARCHAR)
) t(customer_id, phone)
)
