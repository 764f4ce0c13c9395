"""The duplicate flag learnt from the desk's own history: merged tickets, never-merged ones, and agents' feedback.

A help desk already records which requests were duplicates: Zendesk closes a ticket merged into
another with the tag ``closed_by_merge``. ``fit_merge_history`` replays a bounded sample of them
(up to ``SAMPLE`` merged and ``SAMPLE`` never-merged tickets, drawn evenly from the whole stream):
each is compared, through its stored vector (nothing is embedded), with the other tickets of its
organisation (or requester) created before it, merged ones left out, and labelled by whether it
was merged. Answers recorded with ``record_feedback`` ("yes, that is my ticket" / "no, it is new")
count as history too. ``calibrate(min_recall=0.95)`` then picks the strictest threshold that still
flags 95% of the duplicates, and ``store_fit`` keeps it in the collection (stream ``_ab_calibration``),
where every ``SupportSearch`` connecting to it finds it (``read_fit``). Every function takes a
``SupportSearch`` or its ``desk_store``. A desk with fewer than
``MIN_MERGES`` merges or ``MIN_OTHERS`` other tickets keeps the model's default, and says so.

The connector refreshes the fit at the end of a sync that changed tickets; ``support-search
calibrate`` does it on demand.
"""

from __future__ import annotations

import datetime
import json
import logging
import random
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from query_sdk.contract import RECORD_ID_FIELD
from query_sdk.errors import ConfigurationError
from query_sdk.filters import FilterValue
from query_sdk.thresholds import ModelDefaults, calibrate, model_defaults

if TYPE_CHECKING:
    from query_sdk._desk_store import DeskStore

__all__ = [
    "CALIBRATION_STREAM",
    "FEEDBACK_STREAM",
    "MERGED_TAG",
    "DeskFit",
    "desk_thresholds",
    "Feedback",
    "fit_merge_history",
    "read_fit",
    "record_feedback",
    "store_fit",
]

log = logging.getLogger("query_sdk")

#: The streams of the rows an app keeps in the collection (the connector never writes or deletes them).
CALIBRATION_STREAM = "_ab_calibration"
FEEDBACK_STREAM = "_ab_feedback"
#: Zendesk's tag on a ticket closed by merging it into another.
MERGED_TAG = "closed_by_merge"
#: Tickets of each kind replayed at most, and ticket rows read to find them: the cost stays bounded
#: however large the desk. Rows come in primary-key order, and keys are SHA-256 digests, so the rows
#: read are a random draw of the desk's tickets.
SAMPLE = 1000
SCAN_LIMIT = 50_000
#: Least history a fit is trusted on; below it, the model's default stays.
MIN_MERGES = 30
MIN_OTHERS = 30
#: Recall the fitted threshold keeps on the desk's duplicates.
MIN_RECALL = 0.95
#: Neighbours read per replayed ticket (its own chunks, merged and later tickets are dropped from them).
_NEIGHBOURS = 30


@dataclass(frozen=True)
class DeskFit:
    """A duplicate threshold fitted on one collection's history, and what it gave there."""

    threshold: float
    precision: float
    recall: float
    false_flag_rate: float
    merges: int
    others: int
    feedback: int
    fitted_at: str
    model: str

    def describe(self) -> str:
        """One line for logs and the CLI."""
        return (
            f"threshold {self.threshold:.3f} fitted on {self.merges} merged and {self.others} other tickets"
            f" and {self.feedback} answers ({self.fitted_at}): recall {self.recall:.2f}, precision "
            f"{self.precision:.2f}, false flags {self.false_flag_rate:.2f} of new requests"
        )


@dataclass(frozen=True)
class Feedback:
    """One answer to "is this your ticket?", as ``record_feedback`` stores it."""

    score: float
    is_duplicate: bool


def fit_merge_history(
    store: DeskStore, *, sample: int = SAMPLE, min_recall: float = MIN_RECALL, seed: int = 7
) -> tuple[DeskFit | None, str]:
    """Fit the duplicate threshold on the desk's merged and never-merged tickets and its feedback.

    Returns the fit (None with too little history) and a sentence saying what was found.
    """
    store = _store(store)
    merged, others = _sample_tickets(store, sample=sample, seed=seed)
    merged_scores, other_scores = _top_scores(store, merged), _top_scores(store, others)
    scored = [(score, True) for score in merged_scores] + [(score, False) for score in other_scores]
    answers = read_feedback(store)
    scored += [(answer.score, answer.is_duplicate) for answer in answers]
    positives = sum(1 for _, label in scored if label)
    negatives = len(scored) - positives
    if positives < MIN_MERGES or negatives < MIN_OTHERS:
        return None, (
            f"too little history to fit the duplicate flag: {positives} merged or confirmed duplicates and "
            f"{negatives} other requests (at least {MIN_MERGES} and {MIN_OTHERS} needed); the model's default stays"
        )
    fit = calibrate(scored, min_recall=min_recall)
    found = DeskFit(
        threshold=fit.threshold,
        precision=round(fit.precision, 4),
        recall=round(fit.recall, 4),
        false_flag_rate=round(fit.false_flag_rate, 4),
        merges=len(merged_scores),
        others=len(other_scores),
        feedback=len(answers),
        fitted_at=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        model=store.spec.model,
    )
    return found, found.describe()


def desk_thresholds(store: DeskStore) -> ModelDefaults:
    """The model's defaults, with the duplicate threshold fitted on this desk's history where one is stored.

    A default that is not measured is logged as such, once per connection.
    """
    store = _store(store)
    defaults = model_defaults(store.spec)
    fit = read_fit(store) if store.info.contract is not None and store.info.dynamic else None
    if fit is not None:
        return replace(defaults, duplicate=fit.threshold, basis="fitted", source=fit.describe())
    if defaults.basis != "measured":
        log.warning(
            "The duplicate threshold for %r is %s (%s): fit one on this desk's merged tickets with "
            "`support-search calibrate`, or pass threshold=.",
            store.spec.model,
            "an estimate" if defaults.basis == "estimated" else "a guess",
            defaults.source,
        )
    return defaults


def store_fit(store: DeskStore, fit: DeskFit) -> None:
    """Keep ``fit`` in the collection, replacing the one stored before."""
    store = _store(store)
    store.write_app_row(CALIBRATION_STREAM, "fit", None, {"calibration": json.dumps(asdict(fit))})


def read_fit(store: DeskStore) -> DeskFit | None:
    """The fit stored in the collection, if any (and only if made for the model the collection uses)."""
    store = _store(store)
    for row in store.app_rows(CALIBRATION_STREAM, limit=1):
        try:
            fit = DeskFit(**json.loads(str(row.get("calibration"))))
        except (TypeError, ValueError):
            return None
        return fit if fit.model == store.spec.model else None
    return None


def record_feedback(
    store: DeskStore,
    text: str,
    *,
    ticket_id: FilterValue,
    is_duplicate: bool,
) -> Feedback:
    """Store an answer to "is ``text`` a duplicate of ticket ``ticket_id``?" for the next fit.

    The score kept is the request's similarity to that ticket, as a search would give it.
    """
    store = _store(store)
    if not isinstance(is_duplicate, bool):
        raise ConfigurationError(f"is_duplicate must be True or False, not {type(is_duplicate).__name__}.")
    score, vector = store.similarity_to_record(text, store.fields.tickets_stream, ticket_id)
    answer = Feedback(score=score, is_duplicate=is_duplicate)
    key = f"{ticket_id}:{datetime.datetime.now(datetime.timezone.utc).isoformat()}"
    store.write_app_row(FEEDBACK_STREAM, key, vector, {"feedback": json.dumps(asdict(answer))})
    return answer


def read_feedback(store: DeskStore) -> list[Feedback]:
    """Every answer recorded in the collection."""
    store = _store(store)
    answers = []
    for row in store.app_rows(FEEDBACK_STREAM, limit=16384, latest=True):
        try:
            answers.append(Feedback(**json.loads(str(row.get("feedback")))))
        except (TypeError, ValueError):
            continue
    return answers


# -- replaying tickets ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ticket:
    pk: Any
    record_id: str
    tenant: tuple[str, Any]
    created_at: str


def _sample_tickets(store: DeskStore, *, sample: int, seed: int) -> tuple[list[_Ticket], list[_Ticket]]:
    """Up to ``sample`` merged and ``sample`` other tickets, each drawn evenly (reservoir sampling), one chunk each."""
    rng = random.Random(seed)  # noqa: S311  (a sample, not a secret)
    pools: dict[bool, list[_Ticket]] = {True: [], False: []}
    seen: dict[bool, int] = {True: 0, False: 0}
    records: set[str] = set()
    for scanned, row in enumerate(store.rows_of(store.fields.tickets_stream)):
        if scanned >= SCAN_LIMIT:
            break
        record = str(row.get(RECORD_ID_FIELD))
        if record in records:
            continue
        records.add(record)
        tenant = _tenant(store, row)
        if tenant is None:
            continue
        merged = MERGED_TAG in _listed(row.get("tags"))
        ticket = _Ticket(row[store.info.pk_field], record, tenant, str(row.get("created_at") or ""))
        seen[merged] += 1
        pool = pools[merged]
        if len(pool) < sample:
            pool.append(ticket)
        else:
            slot = rng.randrange(seen[merged])
            if slot < sample:
                pool[slot] = ticket
    return pools[True], pools[False]


def _top_scores(store: DeskStore, tickets: Sequence[_Ticket]) -> list[float]:
    """Each ticket's best similarity to an earlier, unmerged ticket of its tenant (tickets with none are left out)."""
    vectors = store.vectors([t.pk for t in tickets])
    by_tenant: dict[tuple[str, Any], list[_Ticket]] = {}
    for ticket in tickets:
        if ticket.pk in vectors:
            by_tenant.setdefault(ticket.tenant, []).append(ticket)
    scores = []
    for (field, value), group in by_tenant.items():
        hits = store.neighbours([vectors[t.pk] for t in group], field, value, limit=_NEIGHBOURS)
        for ticket, found in zip(group, hits):
            earlier = [
                score
                for score, entity in found
                if str(entity.get(RECORD_ID_FIELD)) != ticket.record_id
                and MERGED_TAG not in _listed(entity.get("tags"))
                and (not ticket.created_at or str(entity.get("created_at") or "") < ticket.created_at)
            ]
            if earlier:
                scores.append(max(earlier))
    return scores


def _tenant(store: DeskStore, row: Mapping[str, Any]) -> tuple[str, Any] | None:
    """The organisation a ticket belongs to, or its requester when it has none."""
    for field in (store.fields.organization_field, store.fields.requester_field):
        value = row.get(field)
        if value is not None:
            return field, value
    return None


def _listed(value: object) -> list[str]:
    """A list of tags however it was stored: a JSON list, or its text in a VARCHAR field."""
    if isinstance(value, str):
        text = value
        try:
            value = json.loads(text)
        except ValueError:
            return [text]
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else []


def _store(given: Any) -> DeskStore:
    """A ``SupportSearch``'s desk store, or the desk store given."""
    store: DeskStore = getattr(given, "desk_store", given)
    return store
