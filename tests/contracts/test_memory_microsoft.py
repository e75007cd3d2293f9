from __future__ import annotations

import pytest

from adapters.memory import FakeMicrosoft, ManualClock, RandomIds
from core.identity import ExternalIdentity, SignInKind
from tests.contracts.microsoft import IdentityGatewayContract, ProfileReaderContract

ALICE = ExternalIdentity(
    issuer="https://login.fake.invalid/tenant-contoso/v2.0",
    tenant_id="tenant-contoso",
    object_id="oid-alice",
    email="alice@contoso.com",
    email_verified=True,
    display_name="Alice",
    kind=SignInKind.AZURE_AD,
)


class FakeMicrosoftFixtures:
    @pytest.fixture
    def fake(self) -> FakeMicrosoft:
        return FakeMicrosoft(ManualClock(), RandomIds(), users={"alice": ALICE})

    @pytest.fixture
    def gateway(self, fake: FakeMicrosoft) -> FakeMicrosoft:
        return fake

    @pytest.fixture
    def profiles(self, fake: FakeMicrosoft) -> FakeMicrosoft:
        return fake

    @pytest.fixture
    def sign_in(self, fake: FakeMicrosoft):
        return fake.reply_for

    @pytest.fixture
    def known_username(self) -> str:
        return "alice"

    @pytest.fixture
    def disable_account(self, fake: FakeMicrosoft):
        return fake.refuse_grants


class TestFakeMicrosoftGateway(FakeMicrosoftFixtures, IdentityGatewayContract):
    pass


class TestFakeMicrosoftProfiles(FakeMicrosoftFixtures, ProfileReaderContract):
    pass
