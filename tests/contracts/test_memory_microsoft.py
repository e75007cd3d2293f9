from __future__ import annotations

import pytest

from adapters.contracts.microsoft import IdentityGatewayContract, ProfileReaderContract
from adapters.memory import FakeMicrosoft, ManualClock, RandomIds
from core.identity import ExternalIdentity, SignInKind

ALICE = ExternalIdentity(
    issuer="https://login.fake.invalid/tenant-contoso/v2.0",
    tenant_id="tenant-contoso",
    object_id="oid-alice",
    email="alice@contoso.com",
    email_verified=True,
    display_name="Alice",
    kind=SignInKind.AZURE_AD,
)
B2C = "https://login.fake.invalid/tenant-b2c/v2.0/"
BOB = ExternalIdentity(
    issuer=B2C,
    tenant_id="tenant-b2c",
    object_id="oid-bob",
    email="bob@example.org",
    email_verified=True,
    display_name="Bob",
    kind=SignInKind.LOCAL,
)
CAROL = ExternalIdentity(
    issuer=B2C,
    tenant_id="tenant-b2c",
    object_id="oid-carol",
    email="carol@gmail.com",
    email_verified=False,
    display_name="Carol",
    kind=SignInKind.FEDERATED,
    idp="google.com",
)


class FakeMicrosoftFixtures:
    @pytest.fixture
    def fake(self) -> FakeMicrosoft:
        users = {"alice": ALICE, "bob": BOB, "carol": CAROL}
        return FakeMicrosoft(ManualClock(), RandomIds(), users=users)

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
    def b2c_username(self) -> str:
        return "bob"

    @pytest.fixture
    def federated_username(self) -> str:
        return "carol"

    @pytest.fixture
    def disable_account(self, fake: FakeMicrosoft):
        return fake.refuse_grants


class TestFakeMicrosoftGateway(FakeMicrosoftFixtures, IdentityGatewayContract):
    pass


class TestFakeMicrosoftProfiles(FakeMicrosoftFixtures, ProfileReaderContract):
    pass
