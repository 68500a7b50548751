"""One person's turn with Kasip, whatever the transport: load the state, run the dialog, store it.

The Telegram layer turns an update into ``(user id, chat id, language hint,
Event)`` and sends back the replies this returns; everything in between —
the dialog, what is stored, ``/summary``, ``/forget``, ``/about`` and the
admin commands — lives here, so it is tested without Telegram.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.dialog import Button, Dialog, DialogState, Event, Reply, Step
from bot.i18n import LANGUAGES, Texts
from db.conversations import ConversationStore
from knowledge.display import display_name
from knowledge.version import data_version, software_version

log = logging.getLogger(__name__)


@dataclass
class Turn:
    """Who is writing: Telegram ids and the client's language."""

    user_id: int
    chat_id: int
    language_hint: str | None = None


class KasipService:
    def __init__(self, store: ConversationStore, dialog: Dialog, admin_ids: frozenset[int] = frozenset(), reload=None):
        self.store = store
        self.dialog = dialog
        self.admin_ids = admin_ids
        self._reload = reload

    def handle(self, turn: Turn, event: Event) -> list[Reply]:
        """One turn, its writes committed together (a turn that fails leaves nothing half-stored)."""
        with self.store.transaction():
            return self._handle(turn, event)

    def _handle(self, turn: Turn, event: Event) -> list[Reply]:
        user = self.store.touch(turn.user_id, turn.chat_id)
        lang = user.lang or _hint(turn.language_hint)
        self.store.count(f"event:{event.kind}")
        if event.kind == "button" and event.value.startswith("forget:"):
            return self._forget(turn, event.value, lang)
        if event.kind == "button" and event.value.startswith("vunsub:"):
            return self._unsubscribe(turn, event.value.partition(":")[2], lang)
        if event.kind == "command":
            special = self._command(turn, event, lang)
            if special is not None:
                return special
        raw = self.store.load_state(turn.user_id)
        if raw is None or (event.kind == "command" and event.value == "start"):
            state, greeting = self.dialog.start(user.lang or turn.language_hint)
            if event.kind == "command" and event.value in ("start", "new", "lang"):
                if event.value == "lang":
                    state, greeting = self.dialog.handle(state, Event.command("lang"))
                self._save(turn, state, previous=None)
                self.store.clear_session(turn.user_id)
                return greeting
            previous: DialogState | None = state
            state, replies = self.dialog.handle(state, event)
            replies = greeting[:1] + replies if state.lang else replies
        else:
            previous = DialogState.from_json(raw)
            if previous.city is None and user.city is not None:
                previous.city = user.city  # the city is remembered across sessions
            if event.kind == "command" and event.value == "new":
                self.store.clear_session(turn.user_id)
            if event.kind == "button" and event.value == "vsub" and "vsub" in previous.offered:
                return self._subscribe(turn, previous, lang)
            state, replies = self.dialog.handle(previous, event)
        self._save(turn, state, previous)
        return replies

    # -- storage ----------------------------------------------------------------------------

    def _save(self, turn: Turn, state: DialogState, previous: DialogState | None) -> None:
        self.store.save_state(turn.user_id, state.to_json())
        if state.city is not None and (previous is None or previous.city != state.city):
            self.store.set_city(turn.user_id, state.city)
        if state.step is Step.VACANCIES and (previous is None or previous.step is not Step.VACANCIES or previous.vacancy_offset != state.vacancy_offset):
            self.store.log_event(turn.user_id, "vacancies", state.code, {"ids": state.shown_vacancies})
            self.store.count("vacancies")
        if state.lang and (previous is None or previous.lang != state.lang):
            self.store.set_language(turn.user_id, state.lang)
        if state.step is Step.RESULT and state.code and (previous is None or previous.code != state.code or previous.step is not Step.RESULT):
            self.store.log_event(turn.user_id, "shown", state.code, {"alternatives": state.alternatives})
            self.store.count("result")

    # -- commands outside the dialog -------------------------------------------------------

    def _command(self, turn: Turn, event: Event, lang: str) -> list[Reply] | None:
        texts = Texts(lang)
        name = event.value
        if name == "forget":
            buttons = (Button(texts("forget.yes"), "forget:yes"), Button(texts("forget.no"), "forget:no"))
            return [Reply(texts("forget.confirm"), buttons)]
        if name == "about":
            return [Reply(texts("about.text", software=software_version(), data=data_version()))]
        if name == "summary":
            return [self.summary(turn.user_id, lang)]
        if name in ("stats", "reload"):
            if turn.user_id not in self.admin_ids:
                return [Reply(texts("admin.only"))]
            if name == "stats":
                usage = self.store.usage()
                lines = [texts("admin.stats")] + [f"{kind}: {count}" for kind, count in usage.items()]
                return [Reply("\n".join(lines))]
            version = self._reload() if self._reload else data_version()
            log.info("data reloaded by an admin")
            return [Reply(texts("admin.reloaded", version=version))]
        return None

    def _subscribe(self, turn: Turn, state: DialogState, lang: str) -> list[Reply]:
        from db.conversations import subscription_key
        from db.subscriptions import subscribe

        texts = Texts(lang)
        subscribe(self.store.db, subscription_key(turn.user_id), state.code or "", state.city or None)
        self.store.count("subscribe")
        city = state.city or texts("vacancy.any_city")
        return [Reply(texts("vacancy.subscribed", code=state.code, city=city))]

    def _unsubscribe(self, turn: Turn, raw_id: str, lang: str) -> list[Reply]:
        from db.conversations import subscription_key

        texts = Texts(lang)
        if raw_id.isdigit():
            with self.store.transaction():
                self.store.db.execute(
                    "DELETE FROM vacancy_subscriptions WHERE id = ? AND user_key = ?", [int(raw_id), subscription_key(turn.user_id)]
                )
        return [Reply(texts("vacancy.unsubscribed"))]

    def _forget(self, turn: Turn, data: str, lang: str) -> list[Reply]:
        texts = Texts(lang)
        if data == "forget:yes":
            self.store.forget(turn.user_id)
            log.info("a user erased their data")
            return [Reply(texts("forget.done"))]
        return [Reply(texts("forget.kept"))]

    def summary(self, user_id: int, lang: str) -> Reply:
        """A plain-text summary a counsellor can forward or print."""
        texts = Texts(lang)
        raw = self.store.load_state(user_id)
        state = DialogState.from_json(raw) if raw else DialogState()
        events = self.store.session_events(user_id)
        shown = [code for kind, code, _ in events if kind == "shown" and code]
        if not (state.title or state.duties or shown):
            return Reply(texts("summary.empty"))
        tree = self.dialog.tree
        lines = [texts("summary.title"), ""]
        if state.title:
            lines.append(f"{texts('summary.said_title')}: {state.title}")
        if state.duties:
            lines.append(f"{texts('summary.said_duties')}: {state.duties.replace(chr(10), '; ')}")
        final = state.code or (shown[-1] if shown else None)
        group = tree.get(final) if final else None
        if group is not None:
            lines.append(f"{texts('summary.code')}: {group.code} {display_name(group.name(lang))}")
            other = "ru" if lang == "kk" else "kk"
            lines.append(f"   {display_name(group.name(other))}")
            lines.append(f"{texts('summary.level')}: {group.skill_level.label}")
        considered = [c for c in dict.fromkeys([*shown, *state.alternatives]) if c != final and tree.get(c)]
        names = "; ".join(f"{c} {display_name(tree.get(c).name(lang))}" for c in considered) or texts("summary.none")
        lines.append(f"{texts('summary.alternatives')}: {names}")
        shown_ids = list(dict.fromkeys(i for kind, _, detail in events if kind == "vacancies" for i in detail.get("ids", [])))
        lines.append(f"{texts('summary.vacancies')}: {len(shown_ids)}")
        lines += self._vacancy_lines(shown_ids)
        lines += ["", f"NKZ 2017 · {data_version()} · Kasip {software_version()}"]
        return Reply("\n".join(lines))


    def pending_alerts(self) -> list[tuple[int, Reply, int, int]]:
        """New vacancies for subscribers: (chat id, message, subscription id, watermark) for each.

        The transport sends each message and then calls :meth:`alert_sent`,
        so a failed send is retried after the next import or check.
        """
        if "vacancy_subscriptions" not in self.store.db.table_names():
            return []
        from bot.vacancies import city_label, salary_text
        from db.subscriptions import pending_alerts

        found = []
        for alert in pending_alerts(self.store.db):
            user_id = _telegram_user(alert.user_key)
            user = self.store.user(user_id) if user_id is not None else None
            if user is None:
                continue
            texts = Texts(user.lang or "ru")
            city = city_label(alert.city, user.lang or "ru") if alert.city else texts("vacancy.any_city")
            lines = [texts("vacancy.alert", code=alert.code, city=city)]
            for vacancy in alert.vacancies:
                lines.append(f"• {vacancy.title} — {vacancy.employer or ''}, {salary_text(vacancy, texts)}")
                if vacancy.url:
                    lines.append(f"  {vacancy.url}")
            button = Button(texts("vacancy.unsubscribe"), f"vunsub:{alert.subscription_id}")
            found.append((user.chat_id, Reply("\n".join(lines), (button,)), alert.subscription_id, alert.watermark))
        return found

    def alert_sent(self, subscription_id: int, watermark: int) -> None:
        from db.subscriptions import mark_notified

        mark_notified(self.store.db, subscription_id, watermark)
        self.store.count("alert")

    def _vacancy_lines(self, ids: list[int]) -> list[str]:
        if not ids or "vacancies" not in self.store.db.table_names():
            return []
        from db.vacancy_search import get_vacancy

        lines = []
        for vacancy_id in ids[:20]:
            vacancy = get_vacancy(self.store.db, vacancy_id)
            if vacancy is not None:
                lines.append(f"  • {vacancy.title} — {vacancy.employer or ''} {vacancy.url or ''}".rstrip())
        return lines


def _telegram_user(user_key: str) -> int | None:
    prefix, _, number = user_key.partition(":")
    return int(number) if prefix == "telegram" and number.lstrip("-").isdigit() else None


def _hint(language_hint: str | None) -> str:
    code = (language_hint or "").lower().split("-")[0]
    return code if code in LANGUAGES else "ru"
