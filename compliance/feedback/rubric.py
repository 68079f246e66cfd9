"""The star rating's rubric as content (content/rubrics/<code>.yaml): criteria with their points, each
measured by one or more of the metrics the bot knows, the star thresholds, and the document it follows.

Checked on load, each mistake a ContentError that names the file and the place: the criteria's points add
up to the total (bonus criteria aside), each criterion's measures add up to its points, the thresholds run
strictly downwards and the last starts at 0, metrics are known, an admin-entered metric is measured once.
"""

from __future__ import annotations

import enum
import functools
import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml

from compliance.content import ContentError, Reader, Text
from compliance.sources import Source, parse_source

CONTENT_DIR: Final = Path(__file__).resolve().parents[2] / "content" / "rubrics"
DEFAULT_RUBRIC: Final = "dong-nai-2025"
# A code names a file in CONTENT_DIR: letters, digits and dashes only, so no code reaches outside it.
CODE_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,59}")
EPSILON: Final = 1e-6


class Metric(enum.StrEnum):
    """What a measure reads. A share earns its points in proportion; an entered figure is the points."""

    BROADCAST_ACK_SHARE = "broadcast_ack_share"
    SIGNED_SHARE = "signed_share"
    SELF_CHECK_ON_TIME_SHARE = "self_check_on_time_share"
    SATISFACTION_INDEX = "satisfaction_index"
    ENTERED_REFORM = "entered_reform"
    ENTERED_INITIATIVES = "entered_initiatives"

    @property
    def entered(self) -> bool:
        return self in (Metric.ENTERED_REFORM, Metric.ENTERED_INITIATIVES)


class NoData(enum.StrEnum):
    WITHHELD = "withheld"  # no points, shown as "no data"
    FULL = "full"  # nothing to measure counts as nothing wrong


class YearRule(enum.StrEnum):
    MEAN = "mean"  # a year's entered points: the mean of the quarters entered
    SUM = "sum"  # the quarters' added up, no more than the measure's points


@dataclass(frozen=True)
class Measure:
    id: str
    metric: Metric
    points: float
    name: Text
    year: YearRule = YearRule.MEAN


@dataclass(frozen=True)
class Criterion:
    id: str
    name: Text
    points: float
    measures: tuple[Measure, ...]
    no_data: NoData = NoData.WITHHELD
    bonus: bool = False


@dataclass(frozen=True)
class Threshold:
    stars: int
    minimum: float


@dataclass(frozen=True)
class Rubric:
    code: str
    title: Text
    source: Source
    sample: bool
    total: float
    cap: float
    thresholds: tuple[Threshold, ...]  # highest first; the last starts at 0
    criteria: tuple[Criterion, ...]

    def stars_for(self, points: float) -> int:
        for threshold in self.thresholds:
            if points >= threshold.minimum - EPSILON:
                return threshold.stars
        return self.thresholds[-1].stars

    def entered(self, metric: Metric) -> Measure | None:
        return next((m for c in self.criteria for m in c.measures if m.metric is metric), None)


def _number(read: Reader, value: Any, where: str, *, minimum: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise read.fail(where, f"must be a number of at least {minimum:g}", "bad_number", minimum=minimum)
    return float(value)


def _choice(read: Reader, value: Any, kind: type[enum.StrEnum], where: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise read.fail(where, f"must be one of: {allowed}", "bad_choice", allowed=allowed) from None


def _measure(read: Reader, value: Any, where: str, seen: set[str]) -> Measure:
    data = read.mapping(value, where)
    mid = read.ident(read.field(data, "id", where), where, seen)
    where = f"{where} measure {mid}"
    return Measure(
        mid,
        _choice(read, read.field(data, "metric", where), Metric, f"{where} metric"),
        _number(read, read.field(data, "points", where), f"{where} points"),
        read.text(read.field(data, "name", where), f"{where} name", limit=300),
        _choice(read, data.get("year", "mean"), YearRule, f"{where} year"),
    )


def _criterion(read: Reader, value: Any, seen: set[str], measures_seen: set[str]) -> Criterion:
    data = read.mapping(value, "criterion")
    cid = read.ident(read.field(data, "id", "criterion"), "criterion", seen)
    where = f"criterion {cid}"
    points = _number(read, read.field(data, "points", where), f"{where} points")
    measures = tuple(
        _measure(read, m, where, measures_seen)
        for m in read.list_of(read.field(data, "measures", where), f"{where} measures", maximum=10)
    )
    if abs(sum(m.points for m in measures) - points) > EPSILON:
        raise read.fail(
            where, f"its measures' points add up to {sum(m.points for m in measures):g}, not {points:g}"
        )
    bonus = data.get("bonus", False)
    if not isinstance(bonus, bool):
        raise read.fail(f"{where} bonus", "must be true or false")
    return Criterion(
        cid,
        read.text(read.field(data, "name", where), f"{where} name", limit=200),
        points,
        measures,
        _choice(read, data.get("no_data", "withheld"), NoData, f"{where} no_data"),
        bonus,
    )


def _thresholds(read: Reader, value: Any) -> tuple[Threshold, ...]:
    found: list[Threshold] = []
    for n, raw in enumerate(read.list_of(value, "stars", maximum=10)):
        data = read.mapping(raw, f"stars {n + 1}")
        stars = read.field(data, "stars", f"stars {n + 1}")
        if isinstance(stars, bool) or not isinstance(stars, int) or stars < 0:
            raise read.fail(f"stars {n + 1}", "stars must be a whole number of at least 0")
        found.append(
            Threshold(stars, _number(read, read.field(data, "from", f"stars {n + 1}"), f"stars {n + 1} from"))
        )
    for higher, lower in itertools.pairwise(found):
        if not (lower.minimum < higher.minimum and lower.stars < higher.stars):
            raise read.fail(
                f"stars {lower.stars}",
                "thresholds must run from the most stars down, each starting below the one before",
            )
    if found[-1].minimum != 0:
        raise read.fail(f"stars {found[-1].stars}", "the lowest threshold must start at 0")
    return tuple(found)


def parse_rubric(document: Any, source_name: str) -> Rubric:
    read = Reader(source_name)
    data = read.mapping(document, "file")
    code = read.field(data, "code", "file")
    if not isinstance(code, str) or not code.strip():
        raise read.fail("code", "must be the rubric's code")
    sample = data.get("sample", False)
    if not isinstance(sample, bool):
        raise read.fail("sample", "must be true or false")
    total = _number(read, read.field(data, "total", "file"), "total", minimum=1)
    cap = _number(read, data.get("cap", total), "cap", minimum=total)
    seen: set[str] = set()
    measures_seen: set[str] = set()
    criteria = tuple(
        _criterion(read, c, seen, measures_seen)
        for c in read.list_of(read.field(data, "criteria", "file"), "criteria", maximum=20)
    )
    counted = sum(c.points for c in criteria if not c.bonus)
    if abs(counted - total) > EPSILON:
        raise read.fail("criteria", f"the criteria's points add up to {counted:g}, not the total {total:g}")
    for metric in Metric:
        uses = [m.id for c in criteria for m in c.measures if m.metric is metric]
        if metric.entered and len(uses) > 1:
            raise read.fail(f"measure {uses[1]}", f"{metric.value} is measured more than once")
    thresholds = _thresholds(read, read.field(data, "stars", "file"))
    if thresholds[0].minimum > cap:
        raise read.fail(f"stars {thresholds[0].stars}", "no total can reach this threshold")
    return Rubric(
        code.strip(),
        read.text(read.field(data, "title", "file"), "title", limit=200),
        parse_source(read, read.field(data, "source", "file"), sample=sample),
        sample,
        total,
        cap,
        thresholds,
        criteria,
    )


def load_rubric_file(path: Path) -> Rubric:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ContentError(path.name, "file", f"not readable YAML: {exc}") from exc
    return parse_rubric(document, path.name)


@functools.cache
def load_rubric(code: str = DEFAULT_RUBRIC) -> Rubric:
    """The shipped rubric by its code (content/rubrics/<code>.yaml), read once per process."""
    if not CODE_PATTERN.fullmatch(code):
        raise ContentError(
            str(CONTENT_DIR), "file", f"'{code[:80]}' is not a rubric's code (letters, digits and dashes)"
        )
    path = CONTENT_DIR / f"{code}.yaml"
    if not path.is_file():
        raise ContentError(str(CONTENT_DIR), "file", f"no rubric '{code}' is shipped")
    rubric = load_rubric_file(path)
    if rubric.code != code:
        raise ContentError(path.name, "code", f"the file's code is '{rubric.code}', not '{code}'")
    return rubric


@dataclass(frozen=True)
class ShippedRubric:
    """A file in CONTENT_DIR, as an admin choosing the office's rubric sees it: readable or not, and why."""

    code: str
    rubric: Rubric | None
    error: ContentError | None


def shipped_rubrics() -> list[ShippedRubric]:
    """Every rubric file in CONTENT_DIR (an office's own versions dropped there included), by code; a file
    that cannot be used is listed with its error rather than hidden, so the admin learns what to fix."""
    found: list[ShippedRubric] = []
    for path in sorted(CONTENT_DIR.glob("*.yaml")):
        try:
            found.append(ShippedRubric(path.stem, load_rubric(path.stem), None))
        except ContentError as error:
            found.append(ShippedRubric(path.stem, None, error))
    return found
