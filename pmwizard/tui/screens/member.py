"""Member journey: set up my node (SPEC §3), from an empty machine to a running node: node home, software,
domain, certificate, card, join, configure, start, final check, summary."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pmwizard.tui.context import WizardContext
from pmwizard.tui.screens.journey import JourneyScreen
from pmwizard.tui.state import MemberState
from pmwizard.tui.steps.member_cert import CertificateStep
from pmwizard.tui.steps.member_configure import ConfigureStep
from pmwizard.tui.steps.member_doctor import FinalCheckStep
from pmwizard.tui.steps.member_domain import DomainStep
from pmwizard.tui.steps.member_home import NodeHomeStep
from pmwizard.tui.steps.member_join import JoinStep
from pmwizard.tui.steps.member_share import ShareStep
from pmwizard.tui.steps.member_software import SoftwareStep
from pmwizard.tui.steps.member_start import StartStep
from pmwizard.tui.steps.member_summary import SummaryStep


class MemberJourney(JourneyScreen):
    journey_name = "member"
    journey_title = "Set up my node"
    state_class = MemberState
    step_classes: ClassVar = [NodeHomeStep, SoftwareStep, DomainStep, CertificateStep, ShareStep, JoinStep,
                              ConfigureStep, StartStep, FinalCheckStep, SummaryStep]
    state: MemberState

    def __init__(self, context: WizardContext) -> None:
        super().__init__(context)
        # the home chosen on screen last time, unless --home says otherwise now (the demo keeps its own)
        if self.state.home and not context.home_given and not context.demo:
            context.home = Path(self.state.home)
            context.home_reason = "chosen in the wizard earlier"
        for key, path in context.demo_programs.items():  # the demo's stand-in programs
            if hasattr(self.state, f"{key}_bin") and not getattr(self.state, f"{key}_bin"):
                setattr(self.state, f"{key}_bin", path)
