SELECT * FROM (VALUES ('a@example.com'::VARCHAR, 'alice'::VARCHAR), ('b@example.com', 'bob'), ('c@example.com', 'carol'), ('d@example.com', 'dave'), ('z@example.com', 'zed')) t(email, name)
