SELECT * FROM (VALUES ('C1'::VARCHAR, 'a@example.com'::VARCHAR), ('C2', 'b@example.com')) t(customer_id, email)
