-- Demo data, generated inside PostgreSQL so start-up stays fast at realistic sizes:
-- 400 business customers (ten key accounts with far more orders than the rest),
-- 250 products, 20 000 orders over about two years and 60 000 order lines.
-- Deterministic: the same rows every time, so numbers in tickets are comparable.

INSERT INTO customers (id, name, country, created_at)
SELECT i,
       (ARRAY['Nordwind','Alpine','Harbor','Cedar','Bluefin','Granite','Summit','Meridian','Oakridge','Pioneer',
              'Silverline','Keystone','Redwood','Lakeside','Ironbridge','Sunrise','Northgate','Westfield','Evergreen','Brightwater'])[1 + (i * 7) % 20]
       || ' ' ||
       (ARRAY['Supplies','Logistics','Hospitality','Facilities','Engineering','Clinics','Retail','Foods','Builders','Offices'])[1 + (i * 3) % 10]
       || ' ' ||
       (ARRAY['GmbH','Ltd','AB','BV','SARL','Oy','AS','Inc'])[1 + i % 8]
       || ' #' || i,
       (ARRAY['DE','GB','SE','NL','FR','FI','NO','US'])[1 + i % 8],
       timestamptz '2023-01-01 00:00:00+00' + (i * interval '19 hours')
FROM generate_series(1, 400) AS i;

INSERT INTO products (id, sku, name, unit_price)
SELECT i,
       'SKU-' || lpad(i::text, 5, '0'),
       (ARRAY['Heavy-duty','Compact','Premium','Standard','Eco','Industrial','Stainless','Ergonomic','Modular','Portable'])[1 + i % 10]
       || ' ' ||
       (ARRAY['shelf bracket','cable tray','safety glove','LED panel','floor mat','hand dryer','storage bin','label printer',
              'door closer','water filter','step ladder','work bench','pallet wrap','tool case','fan heater'])[1 + (i * 7) % 15]
       || ' ' || (1 + i % 5) * 10,
       round((((i * 7919) % 24000) + 150) / 100.0, 2)
FROM generate_series(1, 250) AS i;

INSERT INTO orders (id, number, customer_id, status, placed_at)
SELECT i,
       'SO-' || lpad(i::text, 6, '0'),
       CASE WHEN i % 3 = 0 THEN 1 + (i / 3) % 10 ELSE 1 + (i * 7919) % 400 END,
       CASE WHEN i % 20 = 0 THEN 'cancelled'
            WHEN i > 17000 THEN 'open'
            WHEN i % 10 < 4 THEN 'invoiced'
            WHEN i % 10 < 8 THEN 'shipped'
            ELSE 'open' END,
       timestamptz '2024-01-01 00:00:00+00' + (i * interval '53 minutes')
FROM generate_series(1, 20000) AS i;

INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price)
SELECT o.id,
       l.line_no,
       p.id,
       1 + (o.id + l.line_no * 3) % 12,
       p.unit_price
FROM orders o
CROSS JOIN LATERAL generate_series(1, 1 + o.id % 5) AS l(line_no)
JOIN products p ON p.id = 1 + (o.id * 31 + l.line_no * 17) % 250;

SELECT setval(pg_get_serial_sequence('customers', 'id'), (SELECT max(id) FROM customers));
SELECT setval(pg_get_serial_sequence('products', 'id'), (SELECT max(id) FROM products));
SELECT setval(pg_get_serial_sequence('orders', 'id'), (SELECT max(id) FROM orders));
SELECT setval('order_number_seq', (SELECT max(id) FROM orders));

-- Fresh statistics after the bulk load, so the planner does not wait for autovacuum to pick sensible plans.
ANALYZE customers, products, orders, order_lines;
