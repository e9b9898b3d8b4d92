"""SCIM 2.0 (RFC 7643 / 7644) at scim/v2/ on the tenant base."""
