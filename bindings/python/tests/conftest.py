"""Fixtures: an authority (root CA and a department's signing certificate), a registry with
licences of a company and of persons, and a verifier that trusts the root alone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import zhengzhao as zz

BUSINESS = "11100000MB0143028R001"  # 营业执照
FOOD = "11100000MB0143028R104"  # 食品经营许可证
PROPERTY = "11100000MB03271699001"  # 不动产权证书 (needs the holder's consent)
ISSUER_NAME = "杭州市西湖区市场监督管理局"
ROOT = Path(__file__).resolve().parents[3]
VECTORS = ROOT / "test-vectors"


class World:
    """Everything the tests share: made once per session."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.catalog = zz.Catalog()
        self.sampler = zz.Sampler(2025)
        self.issuer = self.sampler.issuer(ISSUER_NAME)
        self.authority = zz.Authority.init(
            base / "authority",
            root_name="浙江省电子证照根CA（测试）",
            issuer_name=self.issuer["name"],
            issuer_code=self.issuer["code"],
        )
        self.other_root = zz.Authority.init(
            base / "other-authority",
            root_name="另一个根CA",
            issuer_name=self.issuer["name"],
            issuer_code=self.issuer["code"],
        ).root_certificate
        self.signers = "".join(s["certificate"] for s in self.authority.signers())
        self.org = self.sampler.issuer("杭州市西湖区行政服务中心")["code"]
        # The registry reads a date as a day in China Standard Time: "until today" ends at
        # 24:00 CST, which is 16:00 UTC, so today is the date in CST, not the machine's.
        self.today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
        self.company = self.sampler.organisation()
        self.person_type = next(
            t
            for t in self.catalog
            if t.holder == "person" and not t.consent and t.validity["kind"] == "period"
        )
        self.persons = [self.sampler.person() for _ in range(8)]

    def licence(self, type_code: str, holder: dict, serial: str) -> dict:
        return self.sampler.licence(
            self.catalog[type_code], self.issuer, holder, serial, self.today
        )

    def context(self, **over: str) -> dict:
        c = {
            "org": self.org,
            "operator": "窗口01",
            "item": "330106-FOOD-01",
            "case": "2026-000001",
            "reason": "食品经营许可申请",
        }
        c.update(over)
        return c

    def request(self, holder: dict, types: list, **over: str) -> dict:
        return {
            "holder_code_type": holder["code_type"],
            "holder_code": holder["code"],
            "types": types,
            "context": self.context(**over),
        }


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return World(tmp_path_factory.mktemp("world"))


@pytest.fixture(scope="session")
def filled(world: World, tmp_path_factory: pytest.TempPathFactory):
    """A registry with the company's 营业执照 and 食品经营许可证 and a licence for each
    person, the service centre granted the types, shared by read-only tests."""
    reg = zz.Registry.create(
        tmp_path_factory.mktemp("filled") / "reg",
        authority=world.authority.path,
        sync="os-buffered",
    )
    business = reg.issue(world.licence(BUSINESS, world.company, "2025000001"), operator="发证员")
    food = reg.issue(world.licence(FOOD, world.company, "2025000002"), operator="发证员")
    persons = [
        reg.issue(world.licence(world.person_type.code, p, f"20250{i:05}"), operator="发证员")
        for i, p in enumerate(world.persons)
    ]
    until = world.today + dt.timedelta(days=365)
    for t in (BUSINESS, FOOD, PROPERTY, world.person_type.code):
        reg.grant(world.org, t, until=until, operator="管理员")
    yield reg, business, food, persons
    reg.close()


@pytest.fixture()
def registry(world: World, tmp_path: Path):
    """A fresh, empty registry of the world's authority."""
    with zz.Registry.create(
        tmp_path / "reg", authority=world.authority.path, sync="os-buffered"
    ) as reg:
        yield reg


@pytest.fixture(scope="session")
def verifier(world: World) -> zz.Verifier:
    """Trusts the root, and knows the department's signing certificates."""
    return zz.Verifier(world.authority.root_certificate, certificates=world.signers)
