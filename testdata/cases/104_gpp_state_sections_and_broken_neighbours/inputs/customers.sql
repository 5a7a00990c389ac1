-- phone is a required column of customers (NULL here)
SELECT *, NULL::VARCHAR AS phone FROM (
SELECT * FROM (VALUES
  ('C1'::VARCHAR, 'a@example.com'::VARCHAR), ('C2', 'b@example.com'), ('C3', 'c@example.com'), ('C4', 'd@example.com'),
  ('C5', 'e@example.com'), ('C6', 'f@example.com'), ('C7', 'g@example.com'), ('C8', 'h@example.com'), ('C9', 'i@example.com')
) t(customer_id, email)
)
