"""Who is asking: a ``Customer`` of the help desk, and what of it they may see (Zendesk's rules).

- **Tickets.** An end user sees their own tickets, and the tickets of their organisation only when
  the organisation shares them (Zendesk: ``organization.shared_tickets``). So a duplicate search for
  a ``Customer`` looks among the requester's open tickets, or the organisation's when it shares them.
- **Articles.** An article with no user segment (Zendesk: ``user_segment_id`` null) is for everyone;
  one restricted to a segment is for members of that segment only (signed-in users, agents and
  managers, users of some organisations or tags). A ``Customer`` sees the public articles and those
  of the ``user_segment_ids`` they belong to, as Zendesk's Article Recommendations API takes them.

The app says who the customer is (from its sign-in, or Zendesk's Users and Organizations APIs):
query_sdk cannot know it, and assumes nothing in the customer's favour.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from query_sdk.errors import ConfigurationError
from query_sdk.filters import FilterValue, check_value

__all__ = ["Customer"]


@dataclass(frozen=True)
class Customer:
    """An end user of the help desk, as far as it decides what they may see.

    ``requester_id`` is their Zendesk user id; ``organization_id`` their organisation (None without
    one); ``shared_tickets`` whether that organisation lets its users see each other's tickets;
    ``user_segment_ids`` the help-centre user segments they belong to. Ids are checked when the
    customer is made (integers, numpy integers included, or plain strings).
    """

    requester_id: FilterValue
    organization_id: FilterValue | None = None
    shared_tickets: bool = False
    user_segment_ids: Sequence[FilterValue] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "requester_id", check_value(self.requester_id, what="requester_id"))
        if self.organization_id is not None:
            object.__setattr__(self, "organization_id", check_value(self.organization_id, what="organization_id"))
        if not isinstance(self.shared_tickets, bool):
            raise ConfigurationError(f"shared_tickets must be True or False, not {type(self.shared_tickets).__name__}.")
        if self.shared_tickets and self.organization_id is None:
            raise ConfigurationError("shared_tickets=True needs the organization_id whose tickets are shared.")
        segments = segment_ids(self.user_segment_ids)
        object.__setattr__(self, "user_segment_ids", segments)

    def ticket_tenant(self) -> dict[str, FilterValue]:
        """The tickets this customer may see: the organisation's when it shares them, else their own."""
        if self.shared_tickets and self.organization_id is not None:
            return {"organization_id": self.organization_id}
        return {"requester_id": self.requester_id}


def segment_ids(given: object) -> tuple[FilterValue, ...]:
    """``user_segment_ids`` as a tuple of checked ids: a list (or tuple, or set) of them, possibly empty."""
    if isinstance(given, (str, bytes, Mapping)) or not isinstance(given, Iterable):
        raise ConfigurationError(
            f"user_segment_ids must be a list of segment ids, not {type(given).__name__}.",
            guidance="For example user_segment_ids=[360000123456]; [] for a visitor who belongs to no segment.",
        )
    return tuple(check_value(value, what="user_segment_ids value") for value in given)  # a numpy array too
