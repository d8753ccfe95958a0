"""Who reads and loads flow monitoring: the holders of the needs analysis, whose planning
figures for people in transit it feeds. Regional admins everywhere, IM officers in their
platform or country (docs/roles.md). Public pages show only the aggregates of points
marked public, with counts below 5 hidden."""

from puente.accounts.permissions import Action

VIEW_FLOWS = Action.MANAGE_NEEDS
MANAGE_FLOWS = Action.MANAGE_NEEDS
