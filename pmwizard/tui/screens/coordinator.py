"""Coordinator journey: form a network (SPEC §3): import cards, review, settings, write genesis.json."""

from __future__ import annotations

from typing import ClassVar

from pmwizard.core.cards import CardCheck, MemberCard
from pmwizard.tui.context import WizardContext
from pmwizard.tui.screens.journey import JourneyScreen
from pmwizard.tui.state import CoordinatorState
from pmwizard.tui.steps.coordinator_import import ImportStep
from pmwizard.tui.steps.coordinator_review import ReviewStep
from pmwizard.tui.steps.coordinator_settings import SettingsStep
from pmwizard.tui.steps.coordinator_write import WriteStep


class CoordinatorJourney(JourneyScreen):
    journey_name = "coordinator"
    journey_title = "Form a network"
    state_class = CoordinatorState
    state: CoordinatorState
    step_classes: ClassVar = [ImportStep, ReviewStep, SettingsStep, WriteStep]

    def __init__(self, context: WizardContext) -> None:
        super().__init__(context)
        self.checks: list[CardCheck] = []
        self.accepted: list[bool] = []
        self.powers: list[int] = []
        self.index = self.reached = 0  # the imported cards are not saved: start at the import

    def members(self) -> list[MemberCard]:
        return [c.card for c, ok in zip(self.checks, self.accepted, strict=False) if ok and c.card]

    def member_powers(self) -> list[int]:
        powers = self.powers + [10] * (len(self.checks) - len(self.powers))
        return [p for c, ok, p in zip(self.checks, self.accepted, powers, strict=False) if ok and c.card]
