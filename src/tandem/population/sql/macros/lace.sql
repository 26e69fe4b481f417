-- LACE point tables (van Walraven et al., CMAJ 2010;182:551), as scalar macros so tests can probe the bands.
create or replace temp macro lace_l_points(length_of_stay) as
    case
        when length_of_stay is null or length_of_stay < 1 then 0
        when length_of_stay <= 3 then length_of_stay
        when length_of_stay <= 6 then 4
        when length_of_stay <= 13 then 5
        else 7
    end;

create or replace temp macro lace_a_points(is_emergent) as
    case when is_emergent then 3 else 0 end;

create or replace temp macro lace_c_points(charlson) as
    case when coalesce(charlson, 0) >= 4 then 5 else coalesce(charlson, 0) end;

create or replace temp macro lace_e_points(ed_visits) as
    least(coalesce(ed_visits, 0), 4);
