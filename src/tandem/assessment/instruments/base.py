"""Shared vocabulary for validated instruments: items, answers, results and the refusal error.

Scoring lives in plain Python with no Django or database imports so the same code scores a
CLI call, a web form, a bulk import or a test, and so a clinician-facing number never depends
on which path produced it. Every instrument refuses an answer it cannot score instead of
guessing: a PHQ-9 total silently computed from eight items would under-read depression.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

# One answer after validation: an option value, or the set of values ticked on a multi-select item.
Answer = int | frozenset[int]
# What callers may pass for one item: an int, a collection of ints (multi-select), or None (missing).
RawAnswer = int | Collection[int] | None
# Answers in form order, or keyed by item key ("q9", "Global07r") or FHIR linkId ("/44260-8").
Answers = Sequence[RawAnswer] | Mapping[str, RawAnswer]


class InvalidAnswers(ValueError):
    """An answer set that cannot be scored, with the offending item named.

    Carries the item so a form can highlight the field and the CLI can say which answer to fix;
    ``item_id`` is the FHIR linkId and ``position`` the 1-based place on the form (both None when
    the problem is not one item, e.g. too many answers).
    """

    def __init__(
        self,
        message: str,
        *,
        instrument: str,
        item_id: str | None = None,
        item_key: str | None = None,
        position: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.instrument = instrument
        self.item_id = item_id
        self.item_key = item_key
        self.position = position


@dataclass(frozen=True)
class Option:
    """One answer choice. ``loinc`` is the LOINC answer code (LA...) when one is known."""

    value: int
    label: str
    loinc: str | None = None


@dataclass(frozen=True)
class Item:
    """One question as the scorer sees it.

    ``key`` is the short id used in Python mappings and CLI ``key=value`` answers; ``link_id``
    is the FHIR QuestionnaireResponse linkId (LOINC-form style ``/<code>`` where a LOINC code
    exists). ``answer_as`` picks valueCoding or valueInteger when exporting to FHIR; ``ordinal``
    says whether an option's value is a score (exported as the ordinalValue extension).
    """

    key: str
    link_id: str
    text: str
    options: tuple[Option, ...]
    loinc: str | None = None
    multiple: bool = False
    # Options that must be chosen alone on a multi-select item (e.g. "None of the above").
    exclusive: frozenset[int] = frozenset()
    # Extra spellings accepted for an option value, e.g. 0 for "None of the above" on AHC item 2.
    aliases: Mapping[int, int] = field(default_factory=dict)
    answer_as: Literal["coding", "integer"] = "coding"
    # True when the option value is itself a score (PHQ 0-3); False when it only numbers the choice.
    ordinal: bool = True

    @property
    def allowed(self) -> tuple[int, ...]:
        return tuple(o.value for o in self.options)

    def option(self, value: int) -> Option:
        for o in self.options:
            if o.value == value:
                return o
        raise KeyError(value)

    def range_text(self) -> str:
        """'0-3' for a contiguous scale, otherwise the list of values; used in refusal messages."""
        values = sorted(self.allowed)
        if values == list(range(values[0], values[-1] + 1)):
            return f"{values[0]}-{values[-1]}"
        return "one of " + ", ".join(str(v) for v in values)


def short_text(text: str, width: int = 42) -> str:
    """Cut item wording at a word boundary so refusal messages stay one readable line."""
    if len(text) <= width + 3:
        return text
    cut = text[: width + 1].rsplit(" ", 1)[0].rstrip(" ,;:-—")
    return cut + "..."


@dataclass(frozen=True)
class ScoreResult:
    """The outcome of scoring one administration.

    ``total`` and ``band`` are None where the instrument has no single total (PROMIS Global
    Health reports two T-scores and no overall score). ``flags`` carry actionable signals such
    as ``self_harm_risk`` that must not be lost in a band.
    """

    instrument: str
    total: int | None
    band: str | None
    flags: list[str] = field(default_factory=list)
    physical_raw: int | None = None
    mental_raw: int | None = None
    physical_t: float | None = None
    mental_t: float | None = None
    positive_domains: list[str] | None = None
    subscores: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; instrument-specific keys appear only where the instrument produces them."""
        out: dict[str, Any] = {
            "instrument": self.instrument,
            "total": self.total,
            "band": self.band,
            "flags": list(self.flags),
        }
        for name in ("physical_raw", "mental_raw", "physical_t", "mental_t"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.positive_domains is not None:
            out["positive_domains"] = list(self.positive_domains)
        if self.subscores:
            out["subscores"] = dict(self.subscores)
        return out


Scorer = Callable[[tuple[Answer, ...]], ScoreResult]


@dataclass(frozen=True)
class Instrument:
    """A validated instrument: its items, codes, provenance and scoring rule.

    ``other_codes`` names further LOINC codes a result can be stored under (e.g. the PROMIS
    T-score codes), so Observations can be written without a second lookup table.
    """

    id: str
    title: str
    panel_loinc: str | None
    total_loinc: str | None
    items: tuple[Item, ...]
    scorer: Scorer
    other_codes: Mapping[str, str] = field(default_factory=dict)
    missing_rule: str = "Every item must be answered: Tandem does not prorate missing items."
    sources: tuple[str, ...] = ()
    licence: str = ""

    @property
    def questionnaire_url(self) -> str:
        """Canonical for QuestionnaireResponse.questionnaire: LOINC's form URL for the panel."""
        return (
            f"http://loinc.org/q/{self.panel_loinc}"
            if self.panel_loinc
            else f"urn:tandem:questionnaire:{self.id}"
        )

    def item_label(self, index: int) -> str:
        item = self.items[index]
        return f"item {index + 1} ({short_text(item.text)})"

    def _refuse(self, index: int, problem: str) -> InvalidAnswers:
        item = self.items[index]
        return InvalidAnswers(
            f"{self.item_label(index)} {problem}",
            instrument=self.id,
            item_id=item.link_id,
            item_key=item.key,
            position=index + 1,
        )

    def _ordered(self, answers: Answers) -> list[RawAnswer]:
        if isinstance(answers, Mapping):
            ordered: list[RawAnswer] = [None] * len(self.items)
            seen: set[int] = set()
            for name, value in answers.items():
                index = self._index_for(str(name).strip())
                if index in seen:
                    raise self._refuse(index, "is answered twice")
                seen.add(index)
                ordered[index] = value
            return ordered
        if isinstance(answers, str | bytes):
            raise InvalidAnswers(
                f"{self.id} answers must be a sequence or mapping, not a string; use parse_answers()",
                instrument=self.id,
            )
        ordered = list(answers)
        if len(ordered) > len(self.items):
            raise InvalidAnswers(
                f"{self.id} has {len(self.items)} items but {len(ordered)} answers were given",
                instrument=self.id,
            )
        return ordered + [None] * (len(self.items) - len(ordered))

    def _check_one(self, index: int, raw: RawAnswer, given: int | None = None) -> Answer:
        item = self.items[index]
        if raw is None:
            count = f" (got {given} of {len(self.items)} answers)" if given is not None else ""
            raise self._refuse(index, f"is missing{count}. {self.missing_rule}")
        if item.multiple:
            values: list[object] = (
                list(raw) if isinstance(raw, Collection) and not isinstance(raw, str) else [raw]
            )
            if not values:
                raise self._refuse(index, "has no option ticked; tick 'None of the above' if none apply")
            chosen: set[int] = set()
            for v in values:
                chosen.add(self._check_scalar(index, v))
            if len(chosen) > 1 and chosen & item.exclusive:
                only = ", ".join(item.option(v).label for v in sorted(chosen & item.exclusive))
                raise self._refuse(index, f"cannot combine '{only}' with other options")
            return frozenset(chosen)
        if not isinstance(raw, int) or isinstance(raw, bool):
            raise self._refuse(index, f"must be a single whole number {item.range_text()}, got {raw!r}")
        return self._check_scalar(index, raw)

    def _check_scalar(self, index: int, value: object) -> int:
        item = self.items[index]
        # bool is an int subclass; True as an answer is a caller bug, not option 1.
        if not isinstance(value, int) or isinstance(value, bool):
            raise self._refuse(index, f"must be a whole number {item.range_text()}, got {value!r}")
        value = item.aliases.get(value, value)
        if value not in item.allowed:
            raise self._refuse(index, f"must be {item.range_text()}, got {value}")
        return value

    def validate(self, answers: Answers) -> tuple[Answer, ...]:
        """Return answers in form order, or raise InvalidAnswers naming the first bad item."""
        ordered = self._ordered(answers)
        given = None
        if not isinstance(answers, Mapping) and len(answers) < len(self.items):
            given = len(answers)
        return tuple(self._check_one(i, raw, given) for i, raw in enumerate(ordered))

    def score(self, answers: Answers) -> ScoreResult:
        return self.scorer(self.validate(answers))

    def parse_answers(self, text: str) -> Answers:
        """Parse the CLI encoding: comma-separated answers in form order, or ``key=value`` pairs.

        A multi-select answer joins option numbers with ``+`` (``2+4``). An empty field means the
        item was not answered and is refused by ``validate`` with the item named.
        """
        fields = [f.strip() for f in text.split(",")] if text.strip() else []
        keyed = [f for f in fields if "=" in f]
        if keyed and len(keyed) != len(fields):
            raise InvalidAnswers(
                f"{self.id}: give either all answers in form order or all as key=value, not a mix",
                instrument=self.id,
            )
        if keyed:
            mapping: dict[str, RawAnswer] = {}
            for f in fields:
                name, _, value = f.partition("=")
                index = self._index_for(name.strip())
                key = self.items[index].key
                if key in mapping:
                    raise self._refuse(index, "is answered twice")
                mapping[key] = self._parse_field(index, value.strip())
            return mapping
        if len(fields) > len(self.items):
            raise InvalidAnswers(
                f"{self.id} has {len(self.items)} items but {len(fields)} answers were given",
                instrument=self.id,
            )
        return [self._parse_field(i, f) for i, f in enumerate(fields)]

    def _index_for(self, name: str) -> int:
        for i, item in enumerate(self.items):
            if name.lower() in {item.key.lower(), item.link_id.lower(), str(i + 1)}:
                return i
        known = ", ".join(item.key for item in self.items)
        raise InvalidAnswers(f"{self.id} has no item {name!r} (items: {known})", instrument=self.id)

    def _parse_field(self, index: int, text: str) -> RawAnswer:
        if text == "":
            return None
        item = self.items[index]
        parts = text.split("+") if item.multiple else [text]
        values: list[int] = []
        for part in parts:
            part = part.strip()
            # ASCII digits only: int() would also accept e.g. Arabic-Indic digits or "1_0".
            if not (part.isascii() and part.removeprefix("-").isdigit()):
                raise self._refuse(index, f"must be a whole number {item.range_text()}, got {text!r}")
            values.append(int(part))
        return frozenset(values) if item.multiple else values[0]


def sum_scale(answers: tuple[Answer, ...]) -> int:
    """Sum single-choice answers; multi-select answers have no ordinal meaning and are refused."""
    total = 0
    for a in answers:
        if not isinstance(a, int):
            raise TypeError("sum_scale takes single-choice answers only")
        total += a
    return total


def band_for(total: int, cutoffs: Sequence[tuple[int, str]]) -> str:
    """Pick the band whose lower bound is the highest one not above ``total``.

    ``cutoffs`` are (lowest total in band, band name), ascending; keeping them as data makes the
    published table visible in one place per instrument.
    """
    chosen = cutoffs[0][1]
    for low, name in cutoffs:
        if total >= low:
            chosen = name
    return chosen
