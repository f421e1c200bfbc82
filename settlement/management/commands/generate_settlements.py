"""python manage.py generate_settlements --month YYYY-MM|YYYY-MM-DD [--region CODE]"""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Region
from common.errors import DomainError
from settlement import cycle
from settlement.generation import generate_statements


class Command(BaseCommand):
    help = (
        "Build a statement period's settlement statements (idempotent: a rerun builds only what is missing). The "
        "period is the month (monthly cycle) or the half month or week containing the given day (SETTLEMENT_CYCLE)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--month", required=True, help="YYYY-MM (a month) or YYYY-MM-DD (the period containing that day); ended"
        )
        parser.add_argument("--region", help="division code of one pooling region (league/city), e.g. 150100")

    def handle(self, *args, **options):
        region = None
        if options.get("region"):
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                raise CommandError(f"统筹区代码 {options['region']} 不存在")
            if region.level != Region.Level.LEAGUE_CITY:
                raise CommandError(f"{region.code} {region.name} 不是统筹区（盟市）")
        try:
            run = generate_statements(month=options["month"], region=region)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{cycle.period_containing(run.period).label} {run.region or '全区'}: 新建结算单 {run.statements_created} 张，明细 {run.lines_created} 条"
            )
        )
