SELECT chr(CAST(96 + i AS INTEGER)) || '@example.com' AS email, 'seg' || i AS segment FROM range(1, 4) t(i)
