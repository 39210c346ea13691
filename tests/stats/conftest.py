import pytest

from tests.stats.dataset import build_dataset


@pytest.fixture
def dataset(users, service_user, products):
    """The known dataset of tests/stats/dataset.py."""
    return build_dataset(users, service_user)
