# The small office with known activity, shared by the report tests at both levels.
from tests.test_reports import office  # noqa: F401
