"""A login stage that collects the flow's required attributes the account lacks, e.g.
after a first federated sign-in or when the flow gained a required attribute."""

from __future__ import annotations

from allauth.account.stages import LoginStage
from allauth.core.internal.httpkit import headed_redirect_response

from . import context
from .attributes import missing


class CollectAttributesStage(LoginStage):
    key = "userflows_collect_attributes"
    urlname = "userflows_collect_attributes"

    def handle(self):
        user = self.login.user
        if user is None:
            return None, True
        flow = context.get_flow(self.request)
        if any(missing(user, spec) for spec in flow.attributes.all()):
            return headed_redirect_response("userflows_collect_attributes"), True
        return None, True
