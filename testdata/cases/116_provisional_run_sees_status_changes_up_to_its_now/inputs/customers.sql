SELECT * FROM (VALUES ('C1'::VARCHAR, 'a@example.com'::VARCHAR, NULL::VARCHAR), ('C2', 'b@example.com', NULL)) t(customer_id, email, phone)
