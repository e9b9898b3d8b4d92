from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    """Argon2id at the OWASP minimum (19 MiB, 2 iterations, 1 lane): strong enough, and
    leaves room for the sign-in throughput a 2-core machine must reach. Hashes made with
    other parameters are upgraded on the next successful sign-in."""

    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1
