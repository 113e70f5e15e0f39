"""Stage 4 of the generator: the words of each inject, and the checks they must pass.

The offline provider renders the kind's template in the exercise language (the variant chosen by
the seed, kinds that come back take their variants in turn); a storyline beat keeps the designer's
own words. Every message starts with the safety marking. Impact reports are filled with the
service's degraded mode and the lines of its service profile
(``prompts/injects/clinical_impact/services.<lang>.md``); people speak with the voice of their
function (``prompts/functions/<lang>.md``: how they open a call, what they see), and name at most
three tools, in their own words (``prompts/functions/tools.<lang>.md``) when they work on the wards.

Then every player-facing text is checked (:func:`polish`): ISO durations become human durations
(« 1 h 30 »), engine and English words become French ones in French exercises
(``prompts/functions/terms.fr.md``; the attacker's own words are left as they are), and no two
injects carry the same body: a repeated one takes another variant, else a line of its sender's
voice, else (optional ones) is dropped.
"""

from __future__ import annotations

import random
import re
from datetime import datetime
from typing import Any

from studio.durations import format_minutes, parse_minutes
from studio.injects.context import ScenarioContext
from studio.injects.generation.pacing import PHASE_NAMES, offset_minutes, phase_at
from studio.injects.generation.plan import WORDS, Beat, Candidate, Plan, is_protected, make_inject_id
from studio.injects.generation.routing import senders_on_duty
from studio.injects.generation.story import POINT_LINES, delay_words, duration_words, service_profile
from studio.injects.kinds import CATEGORY_THEMES, CONTINGENCY_FOLDER, THEMES
from studio.injects.phrases import occurring
from studio.injects.prompts import (
    InjectTemplate,
    function_voices,
    inject_templates,
    render,
    service_profiles,
    staff_tools,
    term_renderings,
)
from studio.injects.wording import (
    channel_for,
    clock_words,
    duration_phrase,
    fit_time_of_day,
    name_list,
    preposition_values,
    rough_duration,
    short_list,
)
from studio.scenario.information import FIELD_FUNCTIONS, TECHNICAL_FUNCTIONS
from studio.scenario.timemodel import next_played_minute, played_windows

CONTINGENCY_DELAY = 20.0
"""Exercise minutes after an inject at which its contingency is played if nothing happened."""


def choose_template(
    category: str, kind: str, language: str, seed: int, inject_id: str, turn: int | None = None
) -> InjectTemplate:
    """The template variant for one inject: a draw seeded by (seed, inject id), stable across runs;
    with ``turn``, the variants are taken in turn from a start drawn with the seed (impact reports of
    one kind alternate their wording)."""
    variants = inject_templates(category, language)[kind]
    if turn is None:
        return random.Random(f"{seed}:{inject_id}").choice(variants)
    start = random.Random(f"{seed}:{kind}").randrange(len(variants))
    return variants[(start + turn) % len(variants)]


def _values(
    ctx: ScenarioContext,
    beat: Beat,
    sender: dict[str, Any],
    to: list[str],
    minute: float,
    first_call: bool = False,
) -> dict[str, str]:
    words = WORDS[ctx.language]
    est = beat.establishment
    attack = ctx.scenario["attack"]
    ransom = attack.get("ransom", {})
    when = ctx.time_model.scenario_datetime(minute)
    site, city = ctx.site_and_city(beat.node, est)
    group = ctx.organisations.get(est or "", {}).get("member_of")
    node_name = ctx.systems[beat.node]["name"] if beat.node else None
    system_names = [ctx.systems[node]["name"] for node in beat.systems]
    service = node_name if beat.node and ctx.systems[beat.node].get("kind") == "clinical_service" else None
    degraded = ctx.systems.get(beat.node or "", {}).get("degraded_mode", {})
    fallback = ctx.fallback_for(est)
    samu = next((o for o, spec in sorted(ctx.organisations.items()) if spec.get("type") == "samu"), None)
    amount = ransom.get("amount")
    establishment = ctx.org_name(est) or ctx.scenario["exercise"]["organiser"]
    values = {
        "establishment": establishment,
        "establishment_short": ctx.org_name(est, short=True) or establishment,
        "site": site or establishment,
        "city": city or words["unknown"],
        "ght": ctx.org_name(group) or establishment,
        "system": node_name or (system_names[0] if system_names else words["information_system"]),
        "systems": short_list(system_names, ctx.language) or node_name or words["information_system"],
        "count": str(max(len(system_names), 1)),
        "service": service or node_name or establishment,
        "capacity": f"{degraded.get('capacity', 50):g}",
        "degraded_description": degraded.get("description", words["unknown"]),
        "time": clock_words(when.hour, when.minute, ctx.language),
        "date": when.strftime(words["date"]),
        "sender_name": sender["name"],
        "sender_role": sender["role"],
        "sender_org": _sender_org(ctx, sender),
        "recipient": ctx.cell_names(to),
        "actor": attack.get("actor", words["actor"]),
        "ransom_amount": f"{amount:,.0f} {ransom.get('currency', '')}".replace(",", " ").strip()
        if amount
        else words["amount"],
        "deadline": delay_words(parse_minutes(ransom["deadline"]) if ransom.get("deadline") else 4320, words),
        "leak_site": ransom.get("leak_site", words["leak_site"]),
        "data": words["data"],
        "volume_gb": words["volume"],
        "fallback": ctx.org_name(fallback) or words["fallback"],
        "samu": ctx.org_name(samu) or words["samu"],
        "hours_left": "72",
        "restored_systems": words["none_yet"],
        "pending_systems": short_list(system_names, ctx.language, 1) or words["none_left"],
        "hours_on_duty": "1",
        "crisis_age": rough_duration(max(60.0, minute_since_first_symptom(ctx, est, minute)), ctx.language),
        "original_title": "",
        "expected_action": "",
    }
    field_voice = _field_voice(ctx, sender)
    values["voice"] = "field" if field_voice else "other"

    values.update(_service_values(ctx, beat.node, beat.extra.get("lost_nodes", ""), words, field_voice))
    if beat.systems and not beat.extra.get("lost_nodes"):
        # What the sender sees stop: the systems of the beat, in its own words (control staff read
        # the full list in the synopsis, {systems}).
        values["tools"] = tool_words(ctx, beat.systems, field_voice) or values["tools"]
    values.update({key: value for key, value in beat.extra.items() if value and key != "lost_nodes"})
    turn = beat.rotation + (beat.variant_turn or 0)
    # What people say: their lines also tell how long they have been without their tools.
    spoken = {**values, "since": _since_words(ctx, est, minute, words)}
    values["opening"] = opening_line(ctx, sender, spoken, turn, _names_a_service(ctx, beat), first_call)
    # Users calling the IT people tell what does not work, in the first hours; everyone else, and
    # the users once the crisis has lasted, how it weighs (a ransom note printing is not news at
    # hour 18).
    fresh = minute_since_first_symptom(ctx, est, minute) < FRESH_SYMPTOMS
    section = "symptoms" if beat.kind.name == "user_followup" and fresh else "follow_up"
    values["voice_line"] = voice_line(ctx, sender, spoken, turn, section, _names_a_service(ctx, beat))
    values["alerted_cell"] = ctx.cell_names([beat.recipient]) if beat.recipient else values["recipient"]
    values.update(preposition_values(ctx.language, values))
    values.update(_profile_lines(ctx, beat, values))
    return values


def _sender_org(ctx: ScenarioContext, sender: dict[str, Any]) -> str:
    """Where the sender speaks from: its organisation, else its role; its role too when its name
    already says the organisation (« Bed manager of the Regional University Hospital, Regional
    University Hospital » reads twice)."""
    org = ctx.org_name(sender.get("organisation"))
    return org if org and org.lower() not in sender["name"].lower() else sender["role"]


def _names_a_service(ctx: ScenarioContext, beat: Beat) -> bool:
    """True when ``beat`` is about a clinical service ({service} names it, not the establishment)."""
    return bool(beat.node) and ctx.systems.get(beat.node or "", {}).get("kind") == "clinical_service"


FRESH_SYMPTOMS = 180.0
"""Scenario minutes after the first symptom during which people still describe what they see."""


def minute_since_first_symptom(ctx: ScenarioContext, est: str | None, minute: float) -> float:
    """Scenario minutes from the first symptom of ``est`` (else of the crisis) to exercise ``minute``."""
    now = ctx.time_model.scenario_minute(minute)
    return now - ctx.first_symptoms.get(est, min(ctx.first_symptoms.values(), default=now))


def _since_words(ctx: ScenarioContext, est: str | None, minute: float, words: dict[str, str]) -> str:
    """How long the staff of ``est`` have been without their tools at exercise ``minute`` (from its
    first symptom), for « depuis {since} »: a duration, never a clock time (« depuis 1 h 50 » at
    1:50 says nothing)."""
    # People do not count their minutes: hours past the first one, days past a day and a half.
    elapsed = max(10.0, minute_since_first_symptom(ctx, est, minute))
    if elapsed >= 36 * 60:
        elapsed = round(elapsed / 1440) * 1440
    return duration_words(elapsed, words)


def dependent_services(ctx: ScenarioContext, node: str | None, establishment: str | None = None) -> list[str]:
    """The clinical services an application serves (those that link to it, id order); a clinical
    service is its own. With ``establishment``, only that establishment's services when it has any
    (a shared application is told from the point of view of the hospital that reports it)."""
    if node not in ctx.systems:
        return []
    if ctx.systems[node].get("kind") == "clinical_service":
        return [node]
    found = ctx.services_linking_to(node)
    own = [sid for sid in found if establishment and ctx.establishment_of(sid) == establishment]
    return own or found


def dependent_service(ctx: ScenarioContext, node: str | None) -> str | None:
    """The clinical service an application serves: the first (id order) that links to it."""
    found = dependent_services(ctx, node)
    return found[0] if found else None


def _service_values(
    ctx: ScenarioContext, node: str | None, lost: str, words: dict[str, str], field_voice: bool = True
) -> dict[str, str]:
    """Values that describe a service: its name, degraded mode (workaround, capacity, delays) and
    what it lost (``lost``: comma-separated system ids), at most three tools, in staff words when
    the sender is on the wards. For an application, the clinical service that depends on it."""
    service_id = dependent_service(ctx, node)
    service = ctx.systems.get(service_id or "", {})
    degraded = service.get("degraded_mode", {})
    lost_nodes = [n for n in lost.split(",") if n in ctx.systems] or ([node] if node in ctx.systems else [])
    tools = tool_words(ctx, lost_nodes, field_voice)
    values = {
        "tools": tools or words["information_system"],
        "lost_systems": tools or words["information_system"],
        "activation_delay": duration_words(parse_minutes(degraded["activation_delay"]), words)
        if degraded.get("activation_delay")
        else words["no_delay"],
        "max_duration": duration_words(parse_minutes(degraded["max_duration"]), words)
        if degraded.get("max_duration")
        else words["no_limit"],
    }
    if service:
        values["capacity"] = f"{degraded.get('capacity', 50):g}"
        values["degraded_description"] = degraded.get("description", words["no_procedure"])
        values["service"] = service["name"]
    return values


def _pick(lines: tuple[str, ...], turn: int, step: int = 0) -> str:
    """Line ``turn`` of a profile section, shifted by ``step`` turns of the first section so that
    services of the same kind get different combinations."""
    return lines[(turn + step) % len(lines)] if lines else ""


def _profile_lines(ctx: ScenarioContext, beat: Beat, values: dict[str, str]) -> dict[str, str]:
    """The service lines of an impact inject (services.<lang>.md), rendered with ``values``; for a
    situation point, one line per service it gathers."""
    profiles = service_profiles(ctx.language)
    source = f"prompts/injects/clinical_impact/services.{ctx.language}.md"
    out = {"service_contact": "", "service_scene": "", "service_ask": "", "service_action": ""}
    out["services_list"] = values.get("systems", "")
    if beat.members:
        lines = []
        point = profiles["situation_point"].lines
        words = WORDS[ctx.language]
        # One line per service, in its latest state (down then degraded within the window: degraded).
        latest = {member.node: member for member in beat.members}
        # A point names at most three applications (people speak of the tools they miss most).
        applications = [n for n, m in latest.items() if m.kind.name not in POINT_LINES]
        field = values["voice"] == "field"
        if field:
            # People on the wards see the tools their services lost, not the servers and directories
            # no service uses directly: those are for the IT people's own points.
            unseen = [n for n in applications if not dependent_services(ctx, n, beat.establishment)]
            if len(unseen) < len(latest):
                for node in unseen:
                    del latest[node]
                applications = [n for n in applications if n not in unseen]
        for extra in applications[3:]:
            del latest[extra]
        for member in latest.values():
            member_values = dict(values)
            name = ctx.systems[member.node]["name"] if member.node else values["service"]
            if field and member.node and member.kind.name not in POINT_LINES:
                name = tool_words(ctx, [member.node], True) or name
                name = name[:1].upper() + name[1:]
            member_values.update(service=name, system=name)
            member_values.update(
                _service_values(
                    ctx, member.node, member.extra.get("lost_nodes", ""), words, values["voice"] == "field"
                )
            )
            line = POINT_LINES.get(member.kind.name)
            if line is None:
                users = dependent_services(ctx, member.node, beat.establishment)
                line = (
                    "application"
                    if len(users) == 1
                    else "application_shared"
                    if users
                    else "application_alone"
                )
                if len(users) > 1:
                    member_values["service"] = name_list([ctx.systems[u]["name"] for u in users])
            section = point[line]
            lines.append("- " + render(section[0], member_values, source))
        out["services_list"] = "\n".join(lines)
        out["count"] = str(len(latest))
        # The most critical service of the point voices its most pressing question.
        top = _top_member(ctx, beat)
        top_values = dict(values)
        top_values.update(
            _service_values(ctx, top.node, top.extra.get("lost_nodes", ""), words, values["voice"] == "field")
        )
        top_system = ctx.systems.get(dependent_service(ctx, top.node) or "")
        if top_system:
            out["service"] = top_values["service"]
            out.update(_service_lines(ctx, top_system, top.node, beat.rotation, top_values))
        return out
    system = ctx.systems.get(dependent_service(ctx, beat.node) or "")
    if system:
        out.update(_service_lines(ctx, system, beat.node, beat.rotation, values))
    return out


def _top_member(ctx: ScenarioContext, beat: Beat) -> Beat:
    """The gathered beat of the most critical service (first one on ties)."""
    return max(
        beat.members,
        key=lambda member: ctx.systems.get(member.node or "", {}).get("criticality", 3),
    )


def _service_lines(
    ctx: ScenarioContext, system: dict[str, Any], node: str | None, turn: int, values: dict[str, str]
) -> dict[str, str]:
    """Contact, scene, question and action of ``system``'s profile, line ``turn`` of each section
    (the question shifted once the scenes are used up, so that combinations keep changing). For an
    application, its own profile when its name says one (the lab system), else its service's."""
    profiles = service_profiles(ctx.language)
    source = f"prompts/injects/clinical_impact/services.{ctx.language}.md"
    profile = service_profile(ctx, system)
    if node in ctx.systems and ctx.systems[node].get("kind") != "clinical_service":
        own = service_profile(ctx, ctx.systems[node])
        profile = own if own.name != "default" else profile
    sections = {**profiles["default"].lines, **profile.lines}
    scenes = len(sections["scene"])
    out = {}
    for key, section, step in (
        ("service_contact", "contact", 0),
        ("service_scene", "scene", 0),
        ("service_ask", "ask", turn // max(scenes, 1)),
        ("service_action", "action", 0),
    ):
        out[key] = render(_pick(sections[section], turn, step), values, source)
    return out


def _objective_text(objective: dict[str, Any]) -> str:
    criteria = " ".join(c["text"] for c in objective.get("criteria", []))
    return f"{objective['title']} {objective.get('description', '')} {criteria}"


def link_objectives(scenario: dict[str, Any], injects: list[dict[str, Any]]) -> None:
    """Set ``objective_ids`` of generated injects in place (see the module docstring, step 6).

    An inject gets an objective when one of its category's themes matches the objective's text and,
    for objectives scoped to cells, when it reaches one of those cells. Each objective nobody serves
    is then given to the earliest core inject reaching its cells (or the earliest core inject).
    """
    served: set[str] = set()
    for inject in injects:
        for objective_id in inject.get("objective_ids", []):
            served.add(objective_id)
    generated = [i for i in injects if not is_protected(i) and not i.get("contingency")]
    for objective in scenario.get("objectives", []):
        text = _objective_text(objective)
        cells = set(objective.get("cells", []))
        for inject in generated:
            if cells and not cells & set(inject["to"]):
                continue
            if any(THEMES[theme].search(text) for theme in CATEGORY_THEMES.get(inject["category"], ())):
                inject.setdefault("objective_ids", [])
                if objective["id"] not in inject["objective_ids"]:
                    inject["objective_ids"].append(objective["id"])
                    served.add(objective["id"])
    core = sorted((i for i in generated if i.get("priority", "core") == "core"), key=offset_minutes)
    for objective in scenario.get("objectives", []):
        if objective["id"] in served or not core:
            continue
        cells = set(objective.get("cells", []))
        target = next((i for i in core if cells & set(i["to"])), core[0])
        target.setdefault("objective_ids", []).append(objective["id"])


def number_injects(injects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sort injects by offset and give generated ones ``number`` ``g.k`` by event group.

    Groups are numbered in order of their first inject; protected injects keep their number.
    """
    ordered = sorted(injects, key=lambda i: (offset_minutes(i), bool(i.get("contingency")), i["id"]))
    group_numbers: dict[str, int] = {}
    counters: dict[int, int] = {}
    for inject in ordered:
        group = inject.get("event_id", inject["id"])
        number = group_numbers.setdefault(group, len(group_numbers) + 1)
        counters[number] = counters.get(number, 0) + 1
        if not is_protected(inject):
            inject["number"] = f"{number}.{counters[number]}"
    return ordered


def _phase(ctx: ScenarioContext, minute: float, windows: list[tuple[float, float]]) -> str:
    """The pacing phase of an exercise minute, named in the exercise language."""
    names = PHASE_NAMES.get(ctx.language, PHASE_NAMES["en"])
    return names[phase_at(minute, windows)]


def render_inject(
    ctx: ScenarioContext,
    candidate: Candidate,
    seed: int,
    template_folder: str,
    kind_name: str,
    extra_values: dict[str, str] | None = None,
) -> tuple[dict[str, Any], str]:
    beat = candidate.beat
    if beat.story is not None and template_folder == beat.kind.category:
        text, template_name = _story_text(beat.story), f"storyline/{beat.story['id']}"
    else:
        turn = beat.variant_turn if template_folder == beat.kind.category else None
        template = choose_template(template_folder, kind_name, ctx.language, seed, candidate.inject_id, turn)
        values = _values(
            ctx, beat, candidate.sender, candidate.to, candidate.exercise_minute, candidate.first_call
        )
        values.update(extra_values or {})
        text, template_name = template.render(values), template.name
    chosen = beat.extra.get("channel") or (beat.story or {}).get("channel") or beat.kind.channel
    inject: dict[str, Any] = {
        "id": candidate.inject_id,
        "event_id": beat.cause["id"],
        "offset": format_minutes(candidate.exercise_minute),
        "scenario_time": ctx.time_model.scenario_datetime(candidate.exercise_minute).isoformat(),
        "from": candidate.sender["id"],
        "to": candidate.to,
        # The designer's channel for a storyline beat is kept (a ransom mail can reach an outside
        # mailbox); generated injects go by phone while the establishment's messaging is down.
        "channel": chosen
        if beat.story is not None
        else channel_for(
            ctx.scenario,
            chosen,
            None
            if beat.kind.to_territorial and ctx.territorial_cells(beat.kind.to_territorial)
            else beat.establishment,
            ctx.time_model.scenario_minute(candidate.exercise_minute),
            internal=candidate.sender.get("organisation")
            in {beat.establishment, ctx.group_of(beat.establishment)},
        ),
        "category": beat.kind.category,
        "title": text["title"][:300],
        "message": f"{ctx.marking}\n\n{text['message']}",
        "synopsis": text["synopsis"],
        "expected_actions": text["expected_actions"],
        "system_refs": beat.systems or ([beat.node] if beat.node else []),
        "cause_refs": beat.cause_ids,
        "priority": beat.priority,
        "visibility": "players",
        "language": ctx.language,
        "status": "draft",
        "provenance": {"source": "offline", "template": template_name},
    }
    if beat.story is not None and beat.story.get("objectives"):
        inject["objective_ids"] = list(beat.story["objectives"])
    if text.get("animator_notes"):
        inject["animator_notes"] = text["animator_notes"]
    if text.get("discussion_questions") and ctx.scenario["exercise"].get("format") == "tabletop":
        inject["discussion_questions"] = text["discussion_questions"]
    if candidate.cc:
        inject["cc"] = candidate.cc
    if beat.establishment in ctx.organisations:
        inject["establishment"] = beat.establishment
    inject["phase"] = _phase(ctx, candidate.exercise_minute, played_windows(ctx.scenario))
    played_by = candidate.sender.get("played_by")
    cell_names = {c["id"]: c["name"] for c in ctx.scenario.get("cells", [])}
    if played_by in cell_names:
        inject["delivered_by"] = cell_names[played_by]
    return inject, template_name


def _story_text(story: dict[str, Any]) -> dict[str, Any]:
    """The sections of a storyline beat: the designer's own words."""
    text: dict[str, Any] = {
        "title": story["title"],
        "message": story["message"],
        "synopsis": story.get("dilemma") or story["title"],
        "expected_actions": list(story.get("expected_decisions") or [story["title"]]),
    }
    if story.get("animator_notes"):
        text["animator_notes"] = story["animator_notes"]
    return text


def contingency_inject(
    ctx: ScenarioContext, candidate: Candidate, original: dict[str, Any], seed: int
) -> dict[str, Any] | None:
    minute = next_played_minute(played_windows(ctx.scenario), candidate.exercise_minute + CONTINGENCY_DELAY)
    if minute is None or minute > ctx.duration:
        return None
    backup = Candidate(
        candidate.beat, make_inject_id(original["id"], "c"), minute, candidate.sender, candidate.to, []
    )
    extra = {"original_title": original["title"], "expected_action": original["expected_actions"][0]}
    inject, _ = render_inject(ctx, backup, seed, CONTINGENCY_FOLDER, original["category"], extra)
    inject.update(
        contingency=True,
        contingency_for=original["id"],
        priority="optional",
        expected_actions=list(original["expected_actions"]),
    )
    return inject


# --- voices -------------------------------------------------------------------------------------

_FIELD_GROUPS = frozenset({"field", "public", "media", "management"})


def _field_voice(ctx: ScenarioContext, sender: dict[str, Any]) -> bool:
    """Whether ``sender`` speaks of tools as a user does (wards, desks, public, management)."""
    function = ctx.function_of(sender)
    voice = function_voices(ctx.language).get(function)
    if voice is not None:
        return voice.group in _FIELD_GROUPS
    return function in FIELD_FUNCTIONS or function not in TECHNICAL_FUNCTIONS


_SEEN_FIRST = (
    "application",
    "workstation",
    "medical_device",
    "messaging",
    "telephony",
    "database",
    "interface",
)
"""System kinds a user sees stop in their hands, in that order; infrastructure comes after."""
_UNSEEN = frozenset(
    {"clinical_service", "credential", "backup", "security", "identity", "virtualisation", "storage"}
)
"""Kinds nobody on the wards sees as such (they see the applications stop, not the backups)."""


def tool_words(ctx: ScenarioContext, nodes: list[str], field_voice: bool, limit: int = 3) -> str:
    """At most ``limit`` of ``nodes`` as the sender calls them. People on the wards name at most two
    tools they use, in their words (« le dossier patient »), and cannot count the rest; IT people
    name systems, the rest counted."""
    tools = staff_tools(ctx.language)
    systems = [
        ctx.systems[node]
        for node in nodes
        if ctx.systems[node].get("kind") not in {"clinical_service", "credential"}
    ]
    if field_voice:
        systems = [s for s in systems if s.get("kind") not in _UNSEEN]
        rank = {kind: index for index, kind in enumerate(_SEEN_FIRST)}
        systems.sort(key=lambda s: rank.get(s.get("kind"), len(rank)))
        names = []
        for system in systems:
            staff = tools.get(system.get("catalogue_ref") or "") or tools.get(f"kind:{system.get('kind')}")
            names.append(staff or system["name"])
        shown = list(dict.fromkeys(names))[:2]
        return short_list(shown, ctx.language, 2)
    return short_list([s["name"] for s in systems], ctx.language, limit)


_AGAIN = re.compile(r"\bre-bonjour\b|\bc'est encore\b|\bme revoilà\b|\bagain\b", re.I)
"""Openings that presume an earlier call: not for a sender's first one."""


def opening_line(
    ctx: ScenarioContext,
    sender: dict[str, Any],
    values: dict[str, str],
    turn: int,
    service_known: bool = True,
    first_call: bool = False,
) -> str:
    """How ``sender`` opens a call or a note, from its function's ``[opening]`` lines (taken in
    turn; without a clinical service to speak of, none naming one; on a first call, none saying
    « Re-bonjour »), else "name (role)"."""
    voice = function_voices(ctx.language).get(ctx.function_of(sender))
    lines = voice.lines.get("opening", ()) if voice else ()
    lines = tuple(
        line
        for line in lines
        if (service_known or "{service}" not in line) and not (first_call and _AGAIN.search(line))
    )
    if not lines:
        return f"{sender['name']} ({sender['role']})"
    return render(
        lines[turn % len(lines)], _line_values(ctx, sender, values), f"prompts/functions/{ctx.language}.md"
    )


_NOT_A_FIRST_NAME = frozenset(
    {
        "dr", "docteur", "pr", "m", "mme", "mr", "mrs", "ms", "commandant", "commandante", "capitaine",
        "lieutenant", "lieutenante", "colonel", "adjudant", "adjudant-chef", "major", "général",
        "régulateur", "régulatrice", "compte", "service", "support", "cellule", "équipe", "analyste",
        "permanence", "directeur", "directrice", "chef", "coordinateur", "délégué", "déléguée",
        "intersyndicale", "captain", "sergeant", "desk", "team",
    }
)  # fmt: skip
"""First words of persona names that are a rank, a title or what the persona is, not a first name:
« C'est Commandant » reads wrong, « C'est Commandant Éric Valentin » does not."""


def _line_values(ctx: ScenarioContext, sender: dict[str, Any], values: dict[str, str]) -> dict[str, str]:
    voice = function_voices(ctx.language).get(ctx.function_of(sender))
    first_name = sender["name"].split()[0] if sender["name"].split() else sender["name"]
    if first_name.rstrip(".").lower() in _NOT_A_FIRST_NAME:
        first_name = sender["name"]
    return {
        "name": sender["name"],
        "first_name": first_name,
        "label": voice.label if voice else sender["role"],
        "establishment_short": values.get("establishment_short", ""),
        "service": values.get("service", ""),
        "tool": (values.get("tools", "").split(", ") or [""])[0],
        "since": values.get("since", ""),
    }


def voice_line(
    ctx: ScenarioContext,
    sender: dict[str, Any],
    values: dict[str, str],
    turn: int,
    section: str = "follow_up",
    service_known: bool = True,
) -> str:
    """A line of ``section`` of the sender's function (taken in turn), else one of its ``[needs]``;
    without a clinical service to speak of (``service_known``), none of the lines naming one (they
    would say « le service CHU de Sainte-Aube »)."""
    voice = function_voices(ctx.language).get(ctx.function_of(sender))
    lines = (voice.lines.get(section) or voice.lines.get("needs") or ()) if voice else ()
    # The template's opening already names the sender: lines that name it again read twice.
    lines = tuple(
        line
        for line in lines
        if "{name}" not in line and "{first_name}" not in line and (service_known or "{service}" not in line)
    )
    if not lines:
        return ""
    return render(
        lines[turn % len(lines)], _line_values(ctx, sender, values), f"prompts/functions/{ctx.language}.md"
    )


# --- checks on the words --------------------------------------------------------------------------

ISO_DURATION = re.compile(
    r"\bP(?=[0-9T])(?:[0-9]+D)?(?:T(?=[0-9])(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]+)?S)?)?\b"
)
KEEP_ORIGINAL_WORDS = frozenset({"attacker"})
"""Categories whose text is the sender's own words in any language (a ransom note in English)."""


def humanize_durations(text: str, language: str) -> str:
    """ISO 8601 durations (PT1H30M) written as people write them (« 1 h 30 »)."""
    return ISO_DURATION.sub(lambda match: duration_phrase(parse_minutes(match.group(0)), language), text)


def _term_pattern(language: str) -> tuple[re.Pattern[str], dict[str, str]] | None:
    renderings = {
        term.lower(): french
        for term, french in term_renderings(language).items()
        if term.lower() not in french.lower()  # kept as is ("VPN"), or already inside its rendering
    }
    if not renderings:
        return None
    alternatives = sorted(renderings, key=len, reverse=True)
    return re.compile(
        r"(?<![\w-])(" + "|".join(re.escape(t) for t in alternatives) + r")(?![\w-])", re.I
    ), renderings


def translate_terms(text: str, language: str, names: list[str] | None = None) -> str:
    """Engine and English words replaced by their rendering in ``language`` (terms file); the
    scenario's own names (``names``: systems, organisations, people) are left as they are."""
    compiled = _term_pattern(language)
    if compiled is None:
        return text
    pattern, renderings = compiled
    pieces = re.split("(" + "|".join(map(re.escape, names)) + ")", text) if names else [text]

    def rendered(match: re.Match[str]) -> str:
        article, term = match.group(1), match.group(2)
        french = renderings[term.lower()]
        if article and language == "fr" and _ELIDED.match(french):
            return f"{article[0]}'{french}"  # « la hotline » becomes « l'assistance »
        return f"{article} {french}" if article else french

    # re.split with one group: odd pieces are the names themselves.
    return "".join(
        piece if index % 2 else _with_article(pattern).sub(rendered, piece)
        for index, piece in enumerate(pieces)
    )


_ELIDED = re.compile(r"[aeiouyéèêàâîôûh]", re.IGNORECASE)


def _with_article(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The term pattern with the article that may precede it (to elide it before a vowel)."""
    return re.compile(r"(?:\b([Ll][ae]) )?" + pattern.pattern, pattern.flags)


def proper_names(scenario: dict[str, Any], texts: list[str] | None = None) -> list[str]:
    """The names a text may quote as they are: systems, organisations, sites and people, longest
    first; with ``texts``, only those quoted in them (:func:`studio.injects.phrases.occurring`)."""
    names = [s.get("name", "") for s in scenario.get("systems", [])]
    names += [o.get("name", "") for o in scenario.get("organisations", [])]
    names += [o.get("short_name", "") for o in scenario.get("organisations", [])]
    names += [p.get("name", "") for p in scenario.get("personas", [])]
    distinct = {n for n in names if len(n) >= 3}
    return sorted(distinct if texts is None else occurring(distinct, texts), key=len, reverse=True)


def body(inject: dict[str, Any]) -> str:
    """An inject's message, white space folded: what "the same text" means for lint."""
    message = inject.get("message", "")
    return " ".join(message.split())


def wording(inject: dict[str, Any], names: list[str]) -> str:
    """An inject's message without people's names, clock times and numbers: two messages with the
    same wording read as the same text to a player, even at another hour or from another person."""
    text = body(inject)
    for name in names:
        text = text.replace(name, "<name>")
    return re.sub(r"\d+", "<n>", text)


def _reword(
    plan: Plan, candidate: Candidate, inject: dict[str, Any], seen: set[str], names: list[str]
) -> bool:
    """Give a repeated body another wording: another variant of its template. True when the body
    is new now."""
    beat = candidate.beat
    if beat.story is None and not inject.get("contingency"):
        variants = inject_templates(beat.kind.category, plan.ctx.language).get(beat.kind.name, ())
        for step in range(1, len(variants)):
            beat.variant_turn = (beat.variant_turn or 0) + step
            fresh, _ = render_inject(plan.ctx, candidate, plan.seed, beat.kind.category, beat.kind.name)
            if wording(fresh, names) not in seen:
                # Every text of the other variant: its expected actions answer its own message.
                for key in ("title", "message", "synopsis", "expected_actions", "provenance"):
                    inject[key] = fresh[key]
                for key in ("animator_notes", "discussion_questions"):
                    if key in fresh:
                        inject[key] = fresh[key]
                    else:
                        inject.pop(key, None)
                return True
    return False


def _voice_call(
    plan: Plan, candidate: Candidate, inject: dict[str, Any], seen: set[str], names: list[str]
) -> bool:
    """Tell ``inject`` as a new call in its sender's voice, titled with what it says: one of its
    openings and one of its lines instead of the repeated body. True when that body is new. (The
    same body with a line tacked on would still be the same text: lint reports it as
    ``text.duplicate_body``.)"""
    ctx, sender = plan.ctx, candidate.sender
    voice = function_voices(ctx.language).get(ctx.function_of(sender))
    lines = [*voice.lines.get("follow_up", ()), *voice.lines.get("needs", ())] if voice else []
    if not _names_a_service(ctx, candidate.beat):
        lines = [line for line in lines if "{service}" not in line]
    # A member of the public's lines presume who they are (a father, a patient): not for any one.
    if not lines or sender.get("kind") == "public":
        return False
    values = _values(ctx, candidate.beat, sender, candidate.to, candidate.exercise_minute)
    values["since"] = _since_words(
        ctx, candidate.beat.establishment, candidate.exercise_minute, WORDS[ctx.language]
    )
    line_values = _line_values(ctx, sender, values)
    offset = random.Random(f"{plan.seed}:{inject['id']}").randrange(len(lines))
    for step in range(len(lines)):
        line = lines[(offset + step) % len(lines)]
        try:
            said = render(line, line_values)
            opening = opening_line(ctx, sender, values, offset + step, _names_a_service(ctx, candidate.beat))
        except Exception:  # a line with other variables: not usable here
            continue
        if sender["name"] not in opening and line_values["first_name"] not in opening:
            opening = (
                f"{sender['name']} : {opening}" if ctx.language == "fr" else f"{sender['name']}: {opening}"
            )
        spoken = f"{opening}\n« {said} »" if ctx.language == "fr" else f'{opening}\n"{said}"'
        message = f"{ctx.marking}\n\n{spoken}"
        if wording({"message": message}, names) not in seen:
            label = line_values["label"]
            inject["message"] = message
            # The kind's synopsis spoke of the body this call replaces. (The label is not followed
            # by the words the title quotes: the title would repeat a run of control-only text.)
            inject["synopsis"] = (
                f"Nouvel appel ({label}), qui relance : la crise dure ; la cellule "
                "répond ou dit quand elle répondra."
                if ctx.language == "fr"
                else f"Another call ({label}), who comes back: the crisis lasts; the cell "
                "answers or says when it will."
            )
            # Titled with what the caller says, not when: two calls of one day read apart.
            caller = f"{label[:1].upper()}{label[1:]}"
            inject["title"] = (
                f"{caller} : {headline(said, ctx.language)}"
                if ctx.language == "fr"
                else f"{caller}: {headline(said, ctx.language)}"
            )
            return True
    return False


def _replace_repeat(
    plan: Plan, candidate: Candidate, inject: dict[str, Any], seen: set[str], names: list[str]
) -> bool:
    """Tell a follow-up whose text repeats an earlier one as another follow-up of its cell at the
    same minute (:func:`studio.injects.generation.followups.other_follow_ups`), so that the cell
    is not left quiet. True when it was."""
    from studio.injects.generation.followups import other_follow_ups

    taken = plan.taken | {c.inject_id for c in plan.placed}
    for other in other_follow_ups(plan, candidate, taken):
        fresh, _ = render_inject(plan.ctx, other, plan.seed, other.beat.kind.category, other.beat.kind.name)
        if wording(fresh, names) not in seen:
            inject.clear()
            inject.update(fresh)
            return True
    return False


HEADLINE_WORDS = 12
"""Most words of a caller's line quoted in a title."""
_DANGLING = frozenset(
    [
        "notre",
        "votre",
        "leur",
        "avec",
        "dans",
        "sans",
        "pour",
        "sous",
        "vers",
        "comment",
        "quand",
        "autre",
        "avant",
        "après",
        "your",
        "their",
        "with",
        "without",
        "from",
        "into",
        "about",
        "before",
        "after",
        "which",
    ]
)
"""Words a cut title must not end on."""


def headline(line: str, language: str) -> str:
    """The first sentence of a caller's line, quoted and cut to :data:`HEADLINE_WORDS` words: what
    this call brings, for its title."""
    sentence = re.split(r"(?<=[.?!])\s", line.strip(), maxsplit=1)[0].rstrip(" .")
    # Its first clause when it says enough on its own (« Toujours aucune nouvelle de la cellule »).
    clause = re.split(r"\s*[,;:]\s", sentence, maxsplit=1)[0]
    if len(clause.split()) >= 5:
        sentence = clause
    words = sentence.split()
    if len(words) > HEADLINE_WORDS:
        words = words[:HEADLINE_WORDS]
        # Not on a dangling little word (« que j'ai… », « dans le… »).
        while len(words) > 4 and (
            len(words[-1]) <= 3 or "'" in words[-1] or "’" in words[-1] or words[-1].lower() in _DANGLING
        ):
            words.pop()
        sentence = " ".join(words).rstrip(",;:") + "…"
    return f"« {sentence} »" if language == "fr" else f'"{sentence}"'


_QUOTE = {"fr": re.compile(r"«\s*([^»]{12,}?)\s*»"), "en": re.compile(r'"([^"]{12,}?)"')}
_REMINDER = {
    "fr": ("relance", "{n}e relance"),
    "en": ("reminder", "reminder {n}"),
}


def _quotes(message: str, language: str) -> list[str]:
    """The words a message quotes (a caller's own line), in order."""
    return _QUOTE.get(language, _QUOTE["en"]).findall(message)


def _place(ctx: ScenarioContext, inject: dict[str, Any]) -> str:
    """Where a call comes from, for its title: the establishment for its own people, else the
    caller's organisation (« Radio locale »), else what the caller is."""
    sender = next((p for p in ctx.personas if p["id"] == inject["from"]), {})
    est = inject.get("establishment")
    place = ctx.org_name(est, short=True) or ""
    if sender.get("organisation") not in {est, ctx.group_of(est)} or not place:
        place = ctx.org_name(sender.get("organisation"), short=True) or sender.get("role", "")
    return place


def _what_is_new(ctx: ScenarioContext, inject: dict[str, Any]) -> list[str]:
    """What an inject is about that its title may not say: the establishment it concerns, the
    service or systems it names. (Read from the inject: a repeat replaced by another follow-up is
    no longer its candidate's.)"""
    facts = []
    if inject.get("establishment"):
        facts.append(ctx.org_name(inject["establishment"], short=True) or "")
    names = [ctx.systems[ref]["name"] for ref in inject.get("system_refs", []) if ref in ctx.systems]
    if names:
        facts.append(short_list(names, ctx.language, 2))
    if len(facts) == 2:
        facts.append(f"{facts[1]} ({facts[0]})")
    return [fact for fact in facts if fact]


def distinct_title(
    plan: Plan,
    inject: dict[str, Any],
    titled: set[tuple[str, str]],
    told: frozenset[str] | set[str] = frozenset(),
) -> str:
    """A title for ``inject`` that no inject of its sender carries yet (``titled``: the (title,
    sender) pairs in use), saying what is new, never when: the caller's own words when the message
    quotes some (« CHU Sainte-Aube : « Mes équipes n'en peuvent plus » »), else the establishment,
    service or systems the title does not name yet and no earlier inject under it told (``told``),
    else the step of the escalation (« relance »,
    « 3e relance »: the sender asks again)."""
    ctx, sender = plan.ctx, inject["from"]
    language = ctx.language
    base = inject["title"]
    tries: list[str] = []
    separator = " : " if language == "fr" else ": "
    if not str(inject["provenance"].get("template", "")).startswith("storyline/"):
        place = _place(ctx, inject)
        for quote in _quotes(inject["message"].replace(ctx.marking, ""), language):
            if quote not in base:
                said = headline(quote, language)
                tries.append(f"{place}{separator}{said}" if place else said)
    tries.extend(
        f"{base} – {fact}" for fact in _what_is_new(ctx, inject) if fact not in base and fact not in told
    )
    once, counted = _REMINDER.get(language, _REMINDER["en"])
    tries.append(f"{base} – {once}")
    fresh = next((t[:300] for t in tries if (t[:300], sender) not in titled), None)
    step = 2
    while fresh is None:
        # Always ends: each step is a new title.
        title = f"{base} – {counted.format(n=step)}"[:300]
        fresh = title if (title, sender) not in titled else None
        step += 1
    return fresh


def polish(plan: Plan, pairs: list[tuple[Candidate | None, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Check and fix the words of generated injects (see the module doc); returns those kept."""
    language = plan.ctx.language
    names = sorted((p["name"] for p in plan.ctx.personas), key=len, reverse=True)
    for _, inject in pairs:
        for key in ("title", "message"):
            inject[key] = humanize_durations(inject[key], language)
    # Only the scenario's names these texts quote can be kept out of the translation.
    texts = [inject[key] for _, inject in pairs for key in ("title", "message")]
    quoted = proper_names(plan.scenario, texts)
    seen = {wording(inject, names) for inject in plan.fixed}
    # No two injects of one sender under the same title: players would read the same message again.
    titled = {(inject["title"], inject["from"]) for inject in plan.fixed}
    # What the injects under each (title, sender) told already: a retitle says something else.
    told: dict[tuple[str, str], set[str]] = {}
    kept = []
    for candidate, inject in pairs:
        if language == "fr" and inject["category"] not in KEEP_ORIGINAL_WORDS:
            for key in ("title", "message"):
                inject[key] = translate_terms(inject[key], language, quoted)
        if wording(inject, names) in seen and not (
            candidate is not None
            and (
                _reword(plan, candidate, inject, seen, names)
                or _replace_repeat(plan, candidate, inject, seen, names)
                or _voice_call(plan, candidate, inject, seen, names)
            )
        ):
            if inject.get("priority") == "optional" or inject.get("contingency"):
                plan.skipped.append(f"{inject['id']}: dropped, same text as an earlier inject")
                continue
            # A core inject is kept: its time makes it distinct for the reader.
            inject["message"] += f"\n({inject['title']})"
        key = (inject["title"], inject["from"])
        facts = set(_what_is_new(plan.ctx, inject))
        if key in titled:
            inject["title"] = distinct_title(plan, inject, titled, told.get(key, set()))
        told.setdefault(key, set()).update(facts)
        titled.add((inject["title"], inject["from"]))
        seen.add(wording(inject, names))
        kept.append(inject)
    for inject in kept:
        if not str(inject["provenance"].get("template", "")).startswith("storyline/"):
            # Templates are written for any hour (the designer's storyline says what it means),
            # and the age of the crisis for the speaker's establishment bounds « depuis hier ».
            when = datetime.fromisoformat(inject["scenario_time"])
            elapsed = (
                minute_since_first_symptom(
                    plan.ctx, inject.get("establishment"), parse_minutes(inject["offset"])
                )
                if plan.ctx.first_symptoms
                else None
            )
            for key in ("title", "message"):
                inject[key] = fit_time_of_day(
                    inject[key], when.hour, language, minute=when.minute, elapsed=elapsed
                )
    return kept


def write_text(plan: Plan) -> None:
    """Stage 4: render ``plan.placed`` (with contingencies) into ``plan.injects``, checked."""
    ctx, seed = plan.ctx, plan.seed
    senders_on_duty(plan)
    ordered = sorted(plan.placed, key=lambda c: (c.exercise_minute, c.inject_id))
    heard_from = {inject["from"] for inject in plan.fixed}
    for candidate in ordered:
        candidate.first_call = candidate.sender["id"] not in heard_from
        heard_from.add(candidate.sender["id"])
    # Services of the same kind (three emergency departments of a GHT...) take turns through the
    # lines of their profile, so that no two of them tell the same story.
    turns: dict[str, int] = {}
    for candidate in ordered:
        beat = candidate.beat
        if not beat.kind.service_voice:
            continue
        node = _top_member(ctx, beat).node if beat.members else beat.node
        if node in ctx.systems:
            key = f"{service_profile(ctx, ctx.systems[node]).name}/{beat.kind.name}"
            beat.rotation = seed + turns.get(key, 0)
            turns[key] = turns.get(key, 0) + 1
        beat.variant_turn = turns.get(beat.kind.name, 0)
        turns[beat.kind.name] = beat.variant_turn + 1
    pairs: list[tuple[Candidate | None, dict[str, Any]]] = []
    for done, candidate in enumerate(ordered, start=1):
        inject, _ = render_inject(
            ctx, candidate, seed, candidate.beat.kind.category, candidate.beat.kind.name
        )
        pairs.append((candidate, inject))
        if plan.progress:
            plan.progress(done, len(ordered), inject["id"])
        if plan.settings.contingency and candidate.beat.kind.contingency and inject["priority"] == "core":
            backup = contingency_inject(ctx, candidate, inject, seed)
            if backup is not None and backup["id"] not in plan.taken:
                pairs.append((None, backup))
    plan.injects = polish(plan, pairs)
