-- $1 user id. Whom the contract's eligibility rules admit for $1 right now (eligible), and how many
-- more each widening would admit on its own: the preferred age range 2 years wider at each end
-- (within 18..120), the height range 5 cm wider (within 100..250), and each gender not yet in
-- interested_in (a profile with no gender stated stays for those open to all). No row when $1 does
-- not exist. Every rule that does not depend on $1's own filters is in `others`: v may be shown
-- (visible, not suspended), no block either way, no swipe that excludes, no match.
with me as (
  select id, age, height, gender_bit, interest_mask, preferred_age_min as amin, preferred_age_max as amax,
         preferred_height_min as hmin, preferred_height_max as hmax
  from users where id = $1
),
others as (
  select v.age, v.height, v.gender_bit,
         v.age between me.amin and me.amax as age_ok,
         v.age between greatest(18, me.amin - 2) and least(120, me.amax + 2) as age_wide,
         v.height between me.hmin and me.hmax as height_ok,
         v.height between greatest(100, me.hmin - 5) and least(250, me.hmax + 5) as height_wide,
         (me.interest_mask & v.gender_bit) <> 0 as gender_ok
  from me
  join users v on v.id <> me.id
    -- the widest ranges asked about, so an index on age can narrow the scan
    and v.age between greatest(18, me.amin - 2) and least(120, me.amax + 2)
    and v.height between greatest(100, me.hmin - 5) and least(250, me.hmax + 5)
    -- v's side of the rules: v wants someone of $1's age, height and gender
    and me.age between v.preferred_age_min and v.preferred_age_max
    and me.height between v.preferred_height_min and v.preferred_height_max
    and (v.interest_mask & me.gender_bit) <> 0
    and user_shown(v.visible, v.suspended_at)
  -- blocks, swipes and matches: neither blocked the other, $1 has not swiped on v, v has not passed
  -- on $1, they are not matched
  where not exists (select 1 from blocks b where b.blocker_id = me.id and b.blocked_id = v.id)
    and not exists (select 1 from blocks b where b.blocker_id = v.id and b.blocked_id = me.id)
    and not exists (select 1 from swipes s where s.swiper_id = me.id and s.swipee_id = v.id)
    and not exists (select 1 from swipes s where s.swiper_id = v.id and s.swipee_id = me.id and s.kind = 'pass')
    and not exists (select 1 from matches m where m.user_low = least(me.id, v.id) and m.user_high = greatest(me.id, v.id))
)
select (select interest_mask from me) as interest_mask,
       count(*) filter (where age_ok and height_ok and gender_ok)::int as eligible,
       count(*) filter (where not age_ok and age_wide and height_ok and gender_ok)::int as age,
       count(*) filter (where age_ok and not height_ok and height_wide and gender_ok)::int as height,
       count(*) filter (where age_ok and height_ok and not gender_ok and gender_bit = 2)::int as woman,
       count(*) filter (where age_ok and height_ok and not gender_ok and gender_bit = 4)::int as man,
       count(*) filter (where age_ok and height_ok and not gender_ok and gender_bit = 8)::int as nonbinary
from others
having exists (select 1 from me);
