-- No parameters. Head counts per (gender, age, height) cell, in the order partitions are cut from.
select gender_bit, age, height, count(*)::int as n
from users
group by gender_bit, age, height
order by gender_bit, age, height;
