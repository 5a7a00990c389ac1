-- email and phone are required columns of customers (NULL phones here)
SELECT * FROM (VALUES ('C1', 'alice@example.com'), ('C2', 'bob@example.com'), ('C3', 'carol@example.com')) t(customer_id, email),
  (SELECT NULL::VARCHAR AS phone)
