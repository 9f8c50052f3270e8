-- $1 since (timestamptz): the server's clock, and the users changed after $1 as matching needs them
-- (one row with a null id when there are none).
with changed as (
  select id, age, height, gender_bit, interest_mask, preferred_age_min, preferred_age_max,
         preferred_height_min, preferred_height_max
  from users where updated_at > $1
)
select now() as at, changed.* from (select 1) as one left join changed on true;
