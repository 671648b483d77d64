"""Member journey: set up my node (SPEC §3, steps 1-7)."""

from __future__ import annotations

from typing import ClassVar

from pmwizard.tui.screens.journey import JourneyScreen
from pmwizard.tui.steps.member_cert import CertificateStep
from pmwizard.tui.steps.member_configure import ConfigureStep
from pmwizard.tui.steps.member_doctor import FinalCheckStep
from pmwizard.tui.steps.member_domain import DomainStep
from pmwizard.tui.steps.member_home import NodeHomeStep
from pmwizard.tui.steps.member_join import JoinStep
from pmwizard.tui.steps.member_share import ShareStep


class MemberJourney(JourneyScreen):
    journey_name = "member"
    journey_title = "Set up my node"
    step_classes: ClassVar = [NodeHomeStep, DomainStep, CertificateStep, ShareStep, JoinStep, ConfigureStep, FinalCheckStep]
