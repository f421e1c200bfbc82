"""A national or alliance batch's published results, imported all or nothing: the tender, its lots, and the
province's share — the winners whose supply provinces include this province — as awards and listings.

Every row of both files is checked and reported (row numbers as the spreadsheet shows them, the column named); a file
with any bad row, or a problem with the file itself, writes nothing. Checked: a result's lot is in the lot list; the
price is positive, at most 4 decimals, per pack and/or per minimum unit (both must agree), and not above the lot's
最高有效申报价; a winner appears once per lot; for this province's rows, the winner is a manufacturer on the platform
and its product of the lot is in the catalog (by 产品医保代码, or else the one active product of the maker with the
lot's generic name and the row's specification). Rows for other provinces are checked for their lot and price only
(their winners need not be on the platform) and reported as 其他省份.

The tender is created in demand collection (hospitals report their volumes for the province's lots during
`NATIONAL_RESULTS_DEMAND_DAYS`); at the window's end — or earlier, when an official confirms — the agreed volumes are
set from the reports with the imported awards (`imported.imported_results_confirm`), as for the platform's own awards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization
from accounts.permissions import require
from catalog.models import Product
from common import rules as business_rules
from common.errors import DomainError, ValidationFailed
from common.history import record_history
from common.importing import PROGRESS_EVERY, ImportReport, Report, RowReport, load_dataset, report_result
from common.models import record_event
from common.money import quantize_amount, quantize_unit_price

from ...errors import TenderError
from ...models import Award, Bid, Listing, Lot, Tender
from ..tenders.lifecycle import parse_price, tender_create
from ..tenders.state import S, move_tender
from . import layout


@dataclass
class ResultsReport:
    """The check of both files: the lot list's rows and the results' rows (each 新增 / 其他省份 / 错误)."""

    lots: ImportReport
    results: ImportReport
    tender: Tender | None = None
    counts: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.lots.ok and self.results.ok

    def result(self) -> dict:
        """What is kept of the check (JSON: the API's answer, a background import's result): the tender, the counts
        and each file's counts and bad rows."""
        return {
            "tender": self.tender.pk if self.tender else None,
            "counts": self.counts,
            "lots": report_result(self.lots),
            "results": report_result(self.results),
        }

    def lines(self) -> list[str]:
        return [_("采购品种目录 ") + line for line in self.lots.lines()] + [
            _("中选结果 ") + line for line in self.results.lines()
        ]


@dataclass
class _LotRow:
    row: int
    number: str
    generic_name: str
    dosage_form: str
    specification: str
    unit: str
    max_price: Decimal


@dataclass
class _Winner:
    row: int
    lot: _LotRow
    manufacturer: Organization
    product: Product
    unit_price: Decimal
    comparison_price: Decimal


def _read_lots(dataset) -> tuple[dict[str, _LotRow], list[RowReport]]:
    columns = layout.column_map(dataset.headers, layout.LOT_COLUMNS, layout.LOT_REQUIRED, which=_("采购品种目录"))
    lots: dict[str, _LotRow] = {}
    reports = []
    for index, values in enumerate(dataset, start=2):
        row = dict(zip(dataset.headers, values, strict=False))
        get = {name: layout.text(row.get(header)) for name, header in columns.items()}
        errors = []
        number, generic = get.get("lot", ""), get.get("generic_name", "")
        if not number:
            errors.append(_("%(col)s：不能为空") % {"col": columns["lot"]})
        elif number in lots:
            errors.append(
                _("%(col)s：“%(v)s”与第 %(row)s 行重复") % {"col": columns["lot"], "v": number, "row": lots[number].row}
            )
        if not generic:
            errors.append(_("%(col)s：不能为空") % {"col": columns["generic_name"]})
        price = None
        try:
            price = parse_price(get.get("max_price"), field="max_price", label=columns["max_price"])
        except DomainError as exc:
            errors.append(f"{columns['max_price']}：{exc.message}")
        if errors:
            reports.append(RowReport(row=index, status="error", errors=errors))
            continue
        lots[number] = _LotRow(
            row=index,
            number=number,
            generic_name=generic,
            dosage_form=get.get("dosage_form", ""),
            specification=get.get("specification", ""),
            unit=get.get("unit", "") or "片",
            max_price=price,
        )
        reports.append(RowReport(row=index, status="new"))
    return lots, reports


def _row_prices(get: dict, columns: dict, product: Product | None, errors: list[str]) -> tuple[Decimal, Decimal] | None:
    """(unit price, comparison price) of a result row: 单位中选价, or 中选价格 (per pack) ÷ the product's pack size
    (for a row whose product is not looked up — another province's — ÷ the pack count of its 规格包装, 20mg*7片 → 7;
    None when that is not one number); both given must agree to the fen; 单位可比价, when given, is what the lot's
    max is compared with."""
    unit = pack = comparison = None
    for name, target in (("unit_price", "unit"), ("pack_price", "pack"), ("comparison_price", "comparison")):
        if not get.get(name):
            continue
        try:
            value = parse_price(get[name], field=name, label=columns[name])
        except DomainError as exc:
            errors.append(f"{columns[name]}：{exc.message}")
            return None
        unit, pack, comparison = (
            (value, pack, comparison)
            if target == "unit"
            else (unit, value, comparison)
            if target == "pack"
            else (unit, pack, value)
        )
    if unit is None and pack is None:
        errors.append(_("中选价格：请填写 中选价格（每包装）或 单位中选价（每最小制剂单位）"))
        return None
    if pack is not None and product is not None:
        from_pack = quantize_unit_price(pack / product.pack_size)
        if unit is not None and quantize_amount(unit * product.pack_size) != quantize_amount(pack):
            errors.append(
                _("%(col)s：单位中选价 × 包装数量 %(n)s ≠ 中选价格 %(pack)s")
                % {"col": columns["unit_price"], "n": product.pack_size, "pack": pack}
            )
            return None
        unit = unit or from_pack
    if unit is None:  # no product looked up (another province's row): the pack count of its 规格包装, if one
        counts = layout.pack_counts("".join(get.get("specification", "").split()).lower())
        if len(counts) != 1:
            return None  # the unit price cannot be known: nothing to compare with the lot's max
        unit = quantize_unit_price(pack / counts.pop())
    return unit, comparison or unit


class _Results:
    """The results rows, checked against the lots and the platform's makers and products (one query each)."""

    def __init__(self, dataset, lots: dict[str, _LotRow], province_names: tuple[str, ...]):
        self.columns = layout.column_map(
            dataset.headers, layout.RESULT_COLUMNS, layout.RESULT_REQUIRED, which=_("中选结果")
        )
        self.rows = [dict(zip(dataset.headers, values, strict=False)) for values in dataset]
        self.lots = lots
        self.province_names = province_names
        names = {layout.text(r.get(self.columns["winner"])) for r in self.rows} - {""}
        self.makers = {
            m.name: m
            for m in Organization.objects.filter(name__in=names, kind=Organization.Kind.MANUFACTURER, is_active=True)
        }
        by_code = self.columns.get("product_code")
        codes = {layout.text(r.get(by_code)) for r in self.rows} - {""} if by_code else set()
        generics = {lot.generic_name for lot in lots.values()}
        self.products: dict[str, Product] = {p.nhsa_code: p for p in Product.objects.filter(nhsa_code__in=codes)}
        self.by_maker: dict[tuple[int, str], list[Product]] = {}
        for p in Product.objects.filter(
            manufacturer__in=list(self.makers.values()), generic_name__in=generics, is_active=True
        ).order_by("pk"):
            self.by_maker.setdefault((p.manufacturer_id, p.generic_name), []).append(p)
        self.seen: dict[tuple[str, str], int] = {}
        self.winners: list[_Winner] = []

    def check(self, progress: Report | None = None) -> list[RowReport]:
        reports = []
        for index, row in enumerate(self.rows, start=2):
            if progress is not None and index % PROGRESS_EVERY == 0:
                progress(index - 1, len(self.rows), _("逐行校验"))
            reports.append(self._row(index, row))
        return reports

    def _row(self, index: int, row: dict) -> RowReport:
        c = self.columns
        get = {name: layout.text(row.get(header)) for name, header in c.items()}
        errors: list[str] = []
        lot = self.lots.get(get.get("lot", ""))
        if lot is None:
            errors.append(
                _("%(col)s：“%(v)s”不是本批次采购品种目录中的品种") % {"col": c["lot"], "v": get.get("lot", "")}
            )
        elif get.get("generic_name") and get["generic_name"] != lot.generic_name:
            errors.append(
                _("%(col)s：“%(v)s”与品种 %(lot)s 的通用名“%(name)s”不一致")
                % {"col": c["generic_name"], "v": get["generic_name"], "lot": lot.number, "name": lot.generic_name}
            )
        winner = get.get("winner", "")
        if not winner:
            errors.append(_("%(col)s：不能为空") % {"col": c["winner"]})
        elif lot is not None:
            key = (lot.number, winner)
            if key in self.seen:
                errors.append(_("与第 %(row)s 行重复（同一品种、同一中选企业）") % {"row": self.seen[key]})
            else:
                self.seen[key] = index
        names = layout.provinces(get.get("provinces"))
        if not names:
            errors.append(_("%(col)s：不能为空") % {"col": c["provinces"]})
        ours = layout.supplies_province(names, self.province_names)
        maker = product = None
        if ours and winner:
            maker, product = self._winner(get, lot, winner, errors)
        prices = _row_prices(get, c, product, errors)
        if prices and lot is not None and prices[1] > lot.max_price:
            errors.append(
                _("中选价格：单位价格 %(price)s 高于品种 %(lot)s 的最高有效申报价 %(max)s")
                % {"price": prices[1], "lot": lot.number, "max": lot.max_price}
            )
        if errors:
            return RowReport(row=index, status="error", errors=errors)
        if not ours:
            return RowReport(row=index, status="other_province")
        self.winners.append(_Winner(index, lot, maker, product, prices[0], prices[1]))
        return RowReport(row=index, status="new")

    def _winner(self, get: dict, lot: _LotRow | None, name: str, errors: list[str]):
        c = self.columns
        maker = self.makers.get(name)
        if maker is None:
            errors.append(
                _("%(col)s：“%(v)s”不是平台上有效的生产企业（请先登记企业）") % {"col": c["winner"], "v": name}
            )
            return None, None
        if lot is None:
            return maker, None
        code = get.get("product_code")
        if code:
            product = self.products.get(code)
            if product is None or product.manufacturer_id != maker.pk or product.generic_name != lot.generic_name:
                errors.append(
                    _("%(col)s：“%(v)s”不是该企业本品种（%(name)s）的产品")
                    % {"col": c["product_code"], "v": code, "name": lot.generic_name}
                )
                return maker, None
            return maker, product
        spec = "".join(get.get("specification", "").split()).lower()
        candidates = self.by_maker.get((maker.pk, lot.generic_name), [])
        matching = [p for p in candidates if not spec or "".join(p.specification.split()).lower() in spec]
        packs = layout.pack_counts(spec)
        if len(matching) > 1 and packs:  # 规格包装 such as 20mg*24片: the pack size tells the products apart
            matching = [p for p in matching if p.pack_size in packs]
        if len(matching) != 1:
            errors.append(
                _("%(col)s：目录中该企业的“%(name)s”（规格 %(spec)s）有 %(n)s 个产品，请填写产品医保代码")
                % {
                    "col": c["winner"],
                    "name": lot.generic_name,
                    "spec": get.get("specification") or "—",
                    "n": len(matching),
                }
            )
            return maker, None
        return maker, matching[0]


@transaction.atomic
def batch_results_import(
    *,
    by,
    code: str,
    name: str,
    level: str,
    cycle_start,
    cycle_end,
    lots_content: bytes,
    lots_filename: str,
    results_content: bytes,
    results_filename: str,
    dry_run: bool = False,
    progress: Report | None = None,
) -> ResultsReport:
    """Check both files; with no bad row (and not a dry run) create the tender in demand collection with the lots
    that have a winner for this province, their awards (ranked by unit comparison price) and listings for the cycle.
    A bad file raises; bad rows are in the report (`ok` false) and nothing is written. `progress(done, total, step)`
    hears of the rows checked (a background job's progress bar)."""
    require(by, "tender.manage")
    if level not in (Tender.Level.NATIONAL, Tender.Level.ALLIANCE):
        raise ValidationFailed(
            _("只能导入国家组织或省际联盟批次的中选结果"), field="level", code=TenderError.RESULTS_LEVEL_INVALID
        )
    rules = business_rules.national_batches()
    lots, lot_reports = _read_lots(load_dataset(lots_content, name=lots_filename))
    results = _Results(load_dataset(results_content, name=results_filename), lots, rules.province_names)
    report = ResultsReport(
        lots=ImportReport(rows=lot_reports, dry_run=dry_run),
        results=ImportReport(rows=results.check(progress), dry_run=dry_run),
    )
    report.counts = {"lots": len(lots), "rows": len(results.rows), "province_rows": len(results.winners)}
    if progress is not None:
        total = len(results.rows)
        progress(total, total, _("写入") if report.ok and not dry_run else _("逐行校验"))
    if not report.ok or dry_run:
        return report
    now = timezone.now()
    end = now + timedelta(days=rules.demand_days)
    tender = tender_create(
        by=by,
        code=code,
        name=name,
        level=level,
        demand_start=now,
        demand_end=end,
        bid_deadline=end,
        opening_at=end,
        cycle_start=cycle_start,
        cycle_end=cycle_end,
    )
    tender.origin = Tender.Origin.RESULTS_IMPORT
    tender.origin_detail = {"lots_file": lots_filename, "results_file": results_filename, **report.counts}
    tender.save(update_fields=["origin", "origin_detail"])
    _write(tender, results.winners, by=by, now=now)
    move_tender(tender, S.DEMAND_COLLECTION, by=by, note=_("导入中选结果，开始报量"))
    record_event(tender, "results_imported", by=by, note=results_filename, data=report.counts)
    report.tender = tender
    return report


def _write(tender: Tender, winners: list[_Winner], *, by, now) -> None:
    """The lots with a winner for this province, one selected bid and one award per winner (rank by unit comparison
    price, then row), and the listings at the awarded price for the cycle."""
    numbers = sorted({w.lot.number for w in winners}, key=lambda n: (len(n), n))
    first = {}
    for w in winners:
        first.setdefault(w.lot.number, w.lot)
    lots = Lot.objects.bulk_create(
        [
            Lot(
                tender=tender,
                number=n,
                generic_name=first[n].generic_name,
                dosage_form_group=first[n].dosage_form,
                dosage_forms=[first[n].dosage_form] if first[n].dosage_form else [],
                reference_specification=first[n].specification,
                comparison_unit=first[n].unit,
                max_price=first[n].max_price,
            )
            for n in numbers
        ]
    )
    lot_ids = {lot.number: lot.pk for lot in lots}
    ordered = sorted(winners, key=lambda w: (w.lot.number, w.comparison_price, w.row))
    bids = Bid.objects.bulk_create(
        [
            Bid(
                tender=tender,
                lot_id=lot_ids[w.lot.number],
                manufacturer=w.manufacturer,
                product=w.product,
                sealed_price="",
                seal_hash="",
                price=w.unit_price,
                comparison_price=w.comparison_price,
                supply_capacity=0,
                status=Bid.Status.SELECTED,
                submitted_at=now,
                submitted_by=by,
            )
            for w in ordered
        ]
    )
    awards, rank = [], {}
    for w, bid in zip(ordered, bids, strict=True):
        rank[w.lot.number] = rank.get(w.lot.number, 0) + 1
        awards.append(
            Award(
                tender=tender,
                lot_id=lot_ids[w.lot.number],
                bid=bid,
                manufacturer=w.manufacturer,
                product=w.product,
                rank=rank[w.lot.number],
                awarded_price=w.unit_price,
                comparison_price=w.comparison_price,
            )
        )
    Award.objects.bulk_create(awards)
    Listing.objects.bulk_create(
        [
            Listing(
                product=a.product,
                manufacturer=a.manufacturer,
                unit_price=quantize_unit_price(a.awarded_price),
                pack_price=quantize_amount(a.awarded_price * a.product.pack_size),
                valid_from=tender.cycle_start,
                valid_to=tender.cycle_end,
                source=Listing.Source.TENDER_AWARD,
                award=a,
                approved_by=by,
            )
            for a in awards
        ]
    )
    record_history(Lot.objects.filter(tender=tender), history_type="+", by=by, reason="导入中选结果")
    record_history(Bid.objects.filter(tender=tender), history_type="+", by=by, reason="导入中选结果")
    record_history(Award.objects.filter(tender=tender), history_type="+", by=by, reason="导入中选结果")
    record_history(Listing.objects.filter(award__tender=tender), history_type="+", by=by, reason="中选产品挂网")
