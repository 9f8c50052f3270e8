-- No parameters. How many users there are (sizes the full rebuild's read of them, in the same snapshot).
select count(*) as users from users
