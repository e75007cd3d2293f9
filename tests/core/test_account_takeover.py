"""nOAuth and pre-account takeover (design §3.2)."""
from __future__ import annotations

import pytest

from core.errors import ErrorCode, SignInError
from core.identity import ExternalIdentity
from core.model import ProviderKind
from tests.core.builders import TENANT_1, TENANT_2, aad, federated, local
from tests.core.world import World

ALICE_T1 = aad("alice@contoso.com", tenant=TENANT_1, oid="alice")


async def register_hostile_tenant(world: World) -> None:
    """Tenant T2 becomes known through a verified sign-in of its own domain's user."""
    await world.login(aad("mallory@hostile.example", tenant=TENANT_2, oid="mallory-own"))


async def accounts_of(world: World, user_id: str) -> int:
    async with world.db.unit_of_work() as uow:
        return len(await uow.accounts.for_user(user_id))


@pytest.mark.parametrize(
    "attacker",
    [
        aad("alice@contoso.com", tenant=TENANT_2, oid="mallory", verified=False),
        aad("  ALICE@Contoso.COM. ", tenant=TENANT_2, oid="mallory", verified=False),
        federated("alice@contoso.com", oid="mallory"),          # Google behind B2C, unverified
        local("alice@contoso.com", oid="mallory", verified=False),
    ],
)
async def test_untrusted_email_of_an_existing_user_is_refused_with_zero_rows_written(
    world: World, attacker: ExternalIdentity
) -> None:
    await register_hostile_tenant(world)
    alice = await world.login(ALICE_T1)
    rows, cached = world.rows(), len(world.cache)
    with pytest.raises(SignInError) as caught:
        await world.login(attacker)
    assert caught.value.code is ErrorCode.ACCOUNT_CONFLICT
    assert world.rows() == rows  # every table, not just users and accounts
    assert len(world.cache) == cached
    assert await accounts_of(world, alice.user_id) == 1


@pytest.mark.parametrize(
    "look_alike",
    ["adm\u0131n@contoso.com", "\uff41lice@contoso.com", "alice@cont\u043eso.com", "\u212aelly@contoso.com"],
)
async def test_unicode_look_alike_never_reaches_the_ascii_user(world: World, look_alike: str) -> None:
    await world.admin.invite("alice@contoso.com", 1, "owner", accepted=True)
    await world.admin.invite("admin@contoso.com", 1, "owner", accepted=True)
    await world.admin.invite("kelly@contoso.com", 1, "owner", accepted=True)
    await register_hostile_tenant(world)
    victim = await world.login(ALICE_T1)
    attacker = await world.login(aad(look_alike, tenant=TENANT_2, oid="mallory", verified=False))
    assert attacker.user_id != victim.user_id
    assert attacker.landing_path == "/no-workspace"


async def test_pre_created_user_from_an_unverified_email_never_receives_the_owner(world: World) -> None:
    await world.admin.invite("alice@contoso.com", 1, "owner", accepted=True)
    await register_hostile_tenant(world)
    squatter = await world.login(aad("alice@contoso.com", tenant=TENANT_2, oid="mallory", verified=False))
    assert squatter.landing_path == "/no-workspace"  # an unverified email collects no invites
    owner = await world.login(ALICE_T1)
    assert owner.user_id != squatter.user_id
    assert owner.landing_path == "/workspace/1/home"
    users = {u.id: u for u in await world.admin.users()}
    assert len(users) == 3  # with the hostile tenant's own user
    assert users[squatter.user_id].email is None
    assert users[squatter.user_id].display_email == "alice@contoso.com"
    assert users[owner.user_id].email == "alice@contoso.com"
    assert await accounts_of(world, owner.user_id) == 1
    assert await accounts_of(world, squatter.user_id) == 1
    again = await world.login(aad("alice@contoso.com", tenant=TENANT_2, oid="mallory", verified=False))
    assert again.user_id == squatter.user_id
    assert await accounts_of(world, squatter.user_id) == 1


async def test_no_identity_ever_joins_a_user_created_from_an_untrusted_email(world: World) -> None:
    squatter = await world.login(local("bob@contoso.com", oid="b1", verified=False))
    others = [
        aad("bob@contoso.com", tenant=TENANT_2, oid="b2"),
        local("bob@contoso.com", oid="b3", verified=False),
        federated("bob@contoso.com", oid="b4"),
    ]
    for identity in others:
        try:
            done = await world.login(identity)
        except SignInError as error:  # the verified bob exists by now
            assert error.code is ErrorCode.ACCOUNT_CONFLICT
        else:
            assert done.user_id != squatter.user_id
    assert await accounts_of(world, squatter.user_id) == 1


async def test_provider_trusted_for_its_domain_links_an_unverified_email(world: World) -> None:
    await world.admin.add_provider(
        "Fabrikam IdP", ProviderKind.SOCIAL, "idp.fabrikam.com",
        domains=["fabrikam.com"], trusted=True,
    )
    first = await world.login(aad("erin@fabrikam.com", tenant=TENANT_2, oid="erin"))
    second = await world.login(federated("erin@fabrikam.com", idp="idp.fabrikam.com", oid="erin-fed"))
    assert second.user_id == first.user_id


@pytest.mark.parametrize(
    ("victim", "look_alike"),
    [
        ("victim@strasse.de", "victim@stra\u00dfe.de"),           # IDNA2003 folded sharp s to ss
        ("victim@\u03b1\u03c3.gr", "victim@\u03b1\u03c2.gr"),     # final sigma is its own letter
    ],
)
async def test_verified_email_at_a_look_alike_idna2008_domain_never_joins_the_victim(
    world: World, victim: str, look_alike: str
) -> None:
    await world.admin.invite(victim, 1, "owner", accepted=True)
    owner = await world.login(aad(victim, tenant=TENANT_1, oid="victim"))
    # the attacker's own tenant verified the look-alike domain it registered
    attacker = await world.login(aad(look_alike, tenant=TENANT_2, oid="mallory"))
    assert attacker.user_id != owner.user_id
    assert attacker.landing_path == "/no-workspace"
    users = {u.id: u for u in await world.admin.users()}
    assert users[attacker.user_id].email != users[owner.user_id].email


async def test_invite_to_a_look_alike_domain_is_not_collected_by_the_ascii_twin(world: World) -> None:
    await world.admin.invite("victim@stra\u00dfe.de", 1, "owner", accepted=True)
    twin = await world.login(aad("victim@strasse.de", tenant=TENANT_1, oid="twin"))
    assert twin.landing_path == "/no-workspace"
    (invite,) = await world.admin.invites()
    assert invite.email == "victim@xn--strae-oqa.de"


async def test_provider_domain_is_stored_as_its_idna2008_a_label_and_invalid_ones_refused(
    world: World,
) -> None:
    provider = await world.admin.add_provider(
        "Stra\u00dfe", ProviderKind.EXTERNAL_AD, "https://issuer.example/s", domains=["STRA\u00dfE.de"]
    )
    assert provider.domains == ("xn--strae-oqa.de",)
    for bad in ("a\u200db.de", "\u2603.com", "stra\u00adsse.de"):
        with pytest.raises(SignInError):
            await world.admin.add_provider(
                "bad", ProviderKind.EXTERNAL_AD, f"https://issuer.example/{bad}", domains=[bad]
            )
