"""Every table, for Alembic and for tests: importing this module registers all models on Base.metadata."""

from storage import (
    models,
    models_broadcast,
    models_campaign,
    models_consent,
    models_emulation,
    models_feedback,
    models_feedback_rollup,
    models_files,
    models_letters,
    models_pledge,
    models_practice,
    models_replicas,
    models_unit_history,
    models_web,
    models_zalo,
)
from storage.models import Base

metadata = Base.metadata
__all__ = [
    "Base",
    "metadata",
    "models",
    "models_broadcast",
    "models_campaign",
    "models_consent",
    "models_emulation",
    "models_feedback",
    "models_feedback_rollup",
    "models_files",
    "models_letters",
    "models_pledge",
    "models_practice",
    "models_replicas",
    "models_unit_history",
    "models_web",
    "models_zalo",
]
