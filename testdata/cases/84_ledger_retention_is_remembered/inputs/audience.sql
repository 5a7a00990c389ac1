SELECT * FROM (VALUES ('a@example.com'::VARCHAR, 'alice'::VARCHAR), ('b@example.com', 'bob'), ('d@example.com', 'dave')) t(email, name)
