import sys

from motcua.core.commands import MotcuaCommand


class Command(MotcuaCommand):
    help = (
        "Liệt kê các hồ sơ, TTHC, DVC hoặc PAKN làm đơn vị mất điểm ở một chỉ số, và số điểm mỗi mục. / "
        "List the records that cost a unit points on one indicator, with the points each is worth."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True)
        parser.add_argument("--unit", required=True)
        parser.add_argument("--indicator", required=True, help="Ví dụ 2.1, 3.6, 5.4 / e.g. 2.1")
        parser.add_argument(
            "--data", help="Bộ dữ liệu trao đổi thay cho cơ sở dữ liệu / an exchange set instead of the database"
        )
        parser.add_argument("--as-of", dest="as_of")
        parser.add_argument(
            "--switch",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="Quy tắc tùy chọn, như motcua score / a named rule switch, as for score",
        )

    def handle(self, period, unit, indicator, data, as_of, switch, **options):
        from motcua.index766.commandline import facts_and_switches, parse_switches
        from motcua.index766.explain import explain
        from motcua.index766.registry import resolve_switches, rule_notes

        given = parse_switches(switch)
        facts, switches = facts_and_switches(data)
        switches = {**switches, **given}
        records = explain(facts, period, unit, indicator, as_of=as_of, switches=switches)
        for r in records:
            where = " ".join(x for x in (r.step, r.official) if x)
            sys.stdout.write(f"{r.record_kind}\t{r.record}\t{r.unit}\t{r.points:.4f}\t{where}\n")
        self.stderr.write(f"{len(records)} mục làm mất điểm chỉ số {indicator} của {unit}.")
        # Which of the portal's rules (interchange.md §4.1) shaped this indicator, and how.
        for note in rule_notes(resolve_switches(switches), indicator=indicator):
            self.stderr.write(f"Quy tắc {note['switch']}={note['value']}: {note['text']}")
