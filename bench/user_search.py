"""User search latency in a tenant with many users (default 1,000,000).

    python bench/user_search.py [--users 1000000] [--iterations 200]

Fills the tenant `bench1m` of the benchmark database (BENCH_DATABASE_URL, default
ciam_bench_directory) with generated customers in one INSERT ... SELECT over
generate_series (bulk SQL, not the ORM), then times the admin center's users-list query
(directory.selectors_users.search_users: prefix search, attribute filter, sorting, cursor
pages of 50) and prints p50 / p95 per query kind. Target: p95 under 50 ms."""

from __future__ import annotations

import argparse
import random
import time

from _setup import machine_info, percentile, setup

FIRST = [
    "anna",
    "ben",
    "carla",
    "david",
    "emma",
    "felix",
    "greta",
    "hugo",
    "ines",
    "jonas",
    "karin",
    "lukas",
    "maria",
    "nils",
    "olga",
    "paul",
    "rosa",
    "sven",
    "tina",
    "ulf",
    "vera",
    "walter",
    "xenia",
    "yusuf",
    "zoe",
    "marco",
    "marta",
    "joao",
    "li",
    "omar",
]
LAST = [
    "smith",
    "jones",
    "garcia",
    "muller",
    "rossi",
    "silva",
    "kowalski",
    "nielsen",
    "dubois",
    "tanaka",
    "kim",
    "nguyen",
    "ivanov",
    "haddad",
    "okafor",
    "larsen",
    "schmidt",
    "moreau",
    "costa",
    "berg",
]


def fill(schema: str, users: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT count(*) FROM "{schema}".directory_user WHERE kind = %s', ["customer"]
        )
        have = cursor.fetchone()[0]
        if have >= users:
            print(f"tenant already holds {have:,} customers")
            return
        started = time.perf_counter()
        first = "ARRAY[" + ",".join(f"'{n}'" for n in FIRST) + "]"
        last = "ARRAY[" + ",".join(f"'{n}'" for n in LAST) + "]"
        cursor.execute(
            f"""
            INSERT INTO "{schema}".directory_user (
                id, password, email, display_name, given_name, surname, kind, is_active,
                city, country, postal_code, state, street_address, job_title,
                custom_attributes, external_id, scim_data, security_stamp,
                must_change_password, created_at, updated_at)
            SELECT gen_random_uuid(), '!',
                f || '.' || l || g || '@'
                    || (ARRAY['example.com','mail.test','corp.example'])[1 + g %% 3],
                initcap(f) || ' ' || initcap(l), initcap(f), initcap(l), 'customer', g %% 50 <> 0,
                (ARRAY['Oslo','Paris','Lima','Osaka','Quito'])[1 + g %% 5], 'XX', '', '', '', '',
                jsonb_build_object('tier', (ARRAY['gold','silver','bronze'])[1 + g %% 3],
                                   'loyalty', g %% 100),
                '', '{{}}'::jsonb, md5(g::text), false,
                now() - make_interval(secs => g), now()
            FROM (
                SELECT g, ({first})[1 + (g * 7) %% {len(FIRST)}] AS f,
                          ({last})[1 + (g * 13) %% {len(LAST)}] AS l
                FROM generate_series(%s, %s) AS g
            ) s
            """,
            [have + 1, users],
        )
        cursor.execute(f'ANALYZE "{schema}".directory_user')
        print(f"inserted {users - have:,} users in {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--iterations", type=int, default=200)
    args = parser.parse_args()
    tenant = setup("bench1m")
    # setup() migrates the shared schema only: bring an existing tenant's schema (and so
    # its indexes) up to date too.
    from django.core.management import call_command

    call_command("migrate_schemas", "--schema", tenant.schema_name, verbosity=0)
    fill(tenant.schema_name, args.users)

    from django_tenants.utils import schema_context

    from directory.selectors_users import UserQuery, search_users

    rng = random.Random(7)
    kinds = {
        "first page, sort by email": lambda: UserQuery(),
        "email prefix (2-6 chars)": lambda: UserQuery(
            q=(rng.choice(FIRST) + "." + rng.choice(LAST))[: rng.randint(2, 6)]
        ),
        "name prefix (3 chars)": lambda: UserQuery(q=rng.choice(FIRST)[:3], search_in="name"),
        "attribute filter tier=gold": lambda: UserQuery(attributes={"tier": "gold"}),
        "attribute + prefix": lambda: UserQuery(
            q=rng.choice(FIRST)[:2], attributes={"loyalty": rng.randint(0, 99)}
        ),
        "newest first": lambda: UserQuery(sort="-created"),
        "blocked only": lambda: UserQuery(status="blocked"),
    }
    print(machine_info())
    print(f"users list query, pages of 50, {args.iterations} runs per kind")
    overall: list[float] = []
    with schema_context(tenant.schema_name):
        for name, make in kinds.items():
            timings = []
            search_users(make())  # warm-up
            for _ in range(args.iterations // 2):
                # a first page, then the next page of the same query through its cursor
                query = make()
                started = time.perf_counter()
                rows, cursor = search_users(query)
                timings.append((time.perf_counter() - started) * 1000)
                if cursor:
                    query.cursor = cursor
                    started = time.perf_counter()
                    rows, cursor = search_users(query)
                    timings.append((time.perf_counter() - started) * 1000)
            overall += timings
            print(
                f"  {name:<30} p50 {percentile(timings, 50):6.2f} ms   "
                f"p95 {percentile(timings, 95):6.2f} ms   ({len(rows)} rows)"
            )
    print(
        f"  {'ALL':<30} p50 {percentile(overall, 50):6.2f} ms   "
        f"p95 {percentile(overall, 95):6.2f} ms"
    )


if __name__ == "__main__":
    main()
