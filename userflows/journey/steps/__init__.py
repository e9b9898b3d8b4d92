"""The steps of the journey engine, by name (the names the plans use)."""

from __future__ import annotations

from .base import Challenge, Field, Outcome, Step
from .signin import IdentifyStep, MfaStep, PrimaryStep, ResetCodeStep, ResetPasswordStep
from .signup import AttributesStep, CreateAccountStep, EmailStep, NewPasswordStep, VerifyEmailStep

STEPS: dict[str, type[Step]] = {
    cls.name: cls
    for cls in (
        EmailStep,
        VerifyEmailStep,
        NewPasswordStep,
        AttributesStep,
        CreateAccountStep,
        IdentifyStep,
        PrimaryStep,
        MfaStep,
        ResetCodeStep,
        ResetPasswordStep,
    )
}

__all__ = ["STEPS", "Challenge", "Field", "Outcome", "Step"]
