"""The operations package's long-lived objects, opened once beside `ApiParts` (on `app.state.ops`)."""
from __future__ import annotations

from dataclasses import dataclass

from services.api.operations.callers import KeyUses, ManagerCheck
from services.api.operations.complaints import Complaints
from services.api.operations.isolation import IsolationStore, IsolationSwitch
from services.api.operations.leak_watch import LeakWatch
from services.api.operations.rules_doc import Facts, RulesDocument, rules_for
from services.api.operations.rules_render import config_digest
from services.api.parts import ApiParts


@dataclass(frozen=True)
class OperationsParts:
    api: ApiParts
    switch: IsolationSwitch
    managers: ManagerCheck
    key_uses: KeyUses
    leaks: LeakWatch
    complaints: Complaints
    config_digest: str

    def rules(self, camera_ids: list[str] | None = None) -> list[RulesDocument]:
        """The 規程 of the given cameras (all when None), from the loaded config and today's accounts."""
        api = self.api
        cams = [c for c in api.cameras.all if camera_ids is None or c.id in camera_ids]
        facts = Facts(api.settings.offline_after_s, api.settings.timezone)
        accounts = api.accounts.list()
        now = api.clock.now_us()
        return [rules_for(c, accounts, facts, now, api.clock.tz, self.config_digest) for c in cams]


def open_operations(api: ApiParts, poll_s: float = 0.2) -> OperationsParts:
    switch = IsolationSwitch(IsolationStore(api.engine), poll_s=poll_s)
    switch.refresh()
    return OperationsParts(api, switch, ManagerCheck(api.accounts, api.verifier), KeyUses(api.engine, api.accounts),
                           LeakWatch(api.engine, api.audit, api.clock.now_us, api.clock.tz), Complaints(api.engine),
                           config_digest(api.settings.config_file))
