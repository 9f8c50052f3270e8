-- Everyone who could be eligible for some member of a partition: shown to others, inside the union
-- of the members' ranges ($1..$2 age, $3..$4 height), of a gender some member wants ($5 mask),
-- wanting the members' gender ($6 bit), and whose own ranges reach the members' ages $7..$8 and
-- heights $9..$10.
select id, age, height, gender_bit, interest_mask, preferred_age_min, preferred_age_max,
       preferred_height_min, preferred_height_max
from users
where age between $1 and $2 and height between $3 and $4
  and (gender_bit & $5) <> 0 and (interest_mask & $6) <> 0
  and preferred_age_min <= $8 and preferred_age_max >= $7
  and preferred_height_min <= $10 and preferred_height_max >= $9
  and user_shown(visible, suspended_at)
