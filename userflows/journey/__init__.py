"""The journey engine: one server-side state machine for every customer flow (sign-up,
sign-in, password reset, profile completion), whatever the client. The HTML pages
(userflows.views) and the native authentication API (userflows.native) are two thin
adapters over it.

- store.py   Journey: JSON in Redis with a short TTL, keyed by an opaque id
- plan.py    the plan: step names and settings built from the flow's data, JSON
- steps/     small classes: challenge(journey) -> Challenge, submit(journey, data) -> Outcome
- engine.py  runs the plan: the current step, submitting to it, advancing
- tokens.py  continuation tokens of the native API (signed, short-lived, single-use)
"""
